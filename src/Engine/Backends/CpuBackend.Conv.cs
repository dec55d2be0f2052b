using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Convolution and pooling reference loops (NCHW). Geometry: x [N, C, H, W], window KH×KW, one stride
// and one zero padding for both axes, OH = (H + 2·pad − KH)/stride + 1, OW likewise. Every loop is
// parallel over images or (image, channel) planes, so no two threads write the same element.
public sealed partial class CpuBackend
{
    /// <summary>The shape numbers every conv/pool loop needs.</summary>
    private readonly record struct ConvGeometry(int N, int C, int H, int W, int KH, int KW, int Stride, int Pad, int OH, int OW)
    {
        public static ConvGeometry Of(int[] x, int kh, int kw, int stride, int pad) =>
            new(x[0], x[1], x[2], x[3], kh, kw, stride, pad, (x[2] + 2 * pad - kh) / stride + 1, (x[3] + 2 * pad - kw) / stride + 1);
    }

    /// <summary>Grain (in planes or images) so that each parallel chunk does about ParallelThreshold element visits.</summary>
    private static int Grain(long workPerItem) => (int)Math.Max(1, ParallelThreshold / Math.Max(1, workPerItem));

    // ---- im2col / col2im ----------------------------------------------------------------------

    /// <inheritdoc/>
    public void Im2Col(Tensor x, int kh, int kw, int stride, int pad, Tensor cols)
    {
        var g = ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad);
        if (IsF32(x, "Im2Col")) Im2ColT<float>(x, g, cols); else Im2ColT<double>(x, g, cols);
    }

    /// <summary>
    /// cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] = x[n, c, oh·s − p + i, ow·s − p + j], 0 outside the
    /// image. Parallel over output rows (n, oh); each window row is KW plain element copies (a call to
    /// a block copy per 5 elements would cost more than the copy), without bounds checks: the window's
    /// in-image rows and columns are computed once per output position, a window touching padding is
    /// cleared first.
    /// </summary>
    private static void Im2ColT<T>(Tensor x, ConvGeometry g, Tensor cols) where T : unmanaged, INumberBase<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var cs = (T[])((CpuStorage)cols.Storage).Data;
        int rowWidth = g.OW * g.C * g.KH * g.KW; // elements of cols per output row (n, oh)
        For((long)g.N * g.OH, (s, e) => Im2ColRows(xs, g, s, e, cs, s * rowWidth), grain: Grain(rowWidth));
    }

    /// <summary>
    /// The rows of output-row range [r0, r1) (r = n·OH + oh) of <see cref="Im2ColT{T}"/>, written to
    /// <paramref name="cs"/> with output row r0's first element at <paramref name="cOffset"/>
    /// (r0·OW·C·KH·KW within the whole buffer).
    /// </summary>
    private static void Im2ColRows<T>(T[] xs, ConvGeometry g, int r0, int r1, T[] cs, int cOffset) where T : unmanaged, INumberBase<T>
    {
        int width = g.C * g.KH * g.KW, plane = g.H * g.W;
        // The geometry as locals (the closure would otherwise reload each field from the heap in the inner loops).
        int oH = g.OH, oW = g.OW, h = g.H, w = g.W, kh = g.KH, kw = g.KW, ch = g.C, stride = g.Stride, pad = g.Pad;
        ref T xRef = ref MemoryMarshal.GetArrayDataReference(xs);
        ref T cRef = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cs), cOffset);
        for (int r = r0; r < r1; r++)
        {
            int n = r / oH, oh = r % oH;
            // Window rows i in [iLo, iHi) fall inside the image; the others are padding (zeros).
            int h0 = oh * stride - pad;
            int iLo = Math.Max(0, -h0), iHi = Math.Min(kh, h - h0);
            for (int ow = 0; ow < oW; ow++)
            {
                int w0 = ow * stride - pad;
                int jLo = Math.Max(0, -w0), jHi = Math.Min(kw, w - w0), run = jHi - jLo;
                ref T row = ref Unsafe.Add(ref cRef, ((r - r0) * oW + ow) * width);
                if (iLo > 0 || iHi < kh || jLo > 0 || jHi < kw)
                    MemoryMarshal.CreateSpan(ref row, width).Clear(); // a window touching padding
                for (int c = 0; c < ch; c++)
                {
                    // Bounds were established above: rows iLo..iHi, columns jLo..jHi stay inside plane (n, c)
                    // (refs are formed only at in-image elements, never before the array).
                    int src = (n * ch + c) * plane + w0 + jLo, dst = c * kh * kw + jLo;
                    for (int i = iLo; i < iHi; i++)
                    {
                        ref T si = ref Unsafe.Add(ref xRef, src + (h0 + i) * w);
                        ref T di = ref Unsafe.Add(ref row, dst + i * kw);
                        for (int j = 0; j < run; j++) Unsafe.Add(ref di, j) = Unsafe.Add(ref si, j);
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx)
    {
        var g = ConvGeometry.Of(dx.ShapeRef, kh, kw, stride, pad);
        if (IsF32(dx, "Col2Im")) Col2ImT<float>(cols, g, dx); else Col2ImT<double>(cols, g, dx);
    }

    /// <summary>
    /// dx[n, c, h, w] = Σ cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] over all (oh, ow, i, j) with
    /// oh·s − p + i = h and ow·s − p + j = w (entries that fell on padding are dropped). Scatter-add,
    /// parallel over images (each image owns its slice of dx).
    /// </summary>
    private static void Col2ImT<T>(Tensor cols, ConvGeometry g, Tensor dx) where T : unmanaged, INumberBase<T>
    {
        var cs = (T[])((CpuStorage)cols.Storage).Data;
        var ds = (T[])((CpuStorage)dx.Storage).Data;
        int rowsPerImage = g.OH * g.OW, width = g.C * g.KH * g.KW;
        For(g.N, (s, e) => Col2ImImages(cs, s * rowsPerImage * width, g, s, e, ds), grain: Grain((long)rowsPerImage * width));
    }

    /// <summary>
    /// Images [n0, n1) of <see cref="Col2ImT{T}"/>: dx[n] for those images (overwritten), from cols rows whose
    /// first (image n0, oh 0, ow 0) starts at <paramref name="cOffset"/> of <paramref name="cs"/>.
    /// </summary>
    private static void Col2ImImages<T>(T[] cs, int cOffset, ConvGeometry g, int n0, int n1, T[] ds) where T : unmanaged, INumberBase<T>
    {
        int width = g.C * g.KH * g.KW, plane = g.H * g.W, image = g.C * plane;
        int oH = g.OH, oW = g.OW, h = g.H, w = g.W, kh = g.KH, kw = g.KW, ch = g.C, stride = g.Stride, pad = g.Pad;
        ref T dRef = ref MemoryMarshal.GetArrayDataReference(ds);
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(cs);
        for (int n = n0; n < n1; n++)
        {
            ds.AsSpan(n * image, image).Clear();
            for (int oh = 0; oh < oH; oh++)
                for (int ow = 0; ow < oW; ow++)
                {
                    int src = cOffset + (((n - n0) * oH + oh) * oW + ow) * width;
                    int w0 = ow * stride - pad;
                    int jLo = Math.Max(0, -w0), jHi = Math.Min(kw, w - w0), run = jHi - jLo;
                    for (int c = 0; c < ch; c++)
                    {
                        int planeBase = n * image + c * plane;
                        for (int i = 0; i < kh; i++, src += kw)
                        {
                            int hh = oh * stride - pad + i;
                            if (hh < 0 || hh >= h) continue;
                            // Bounds were established above: jLo..jHi stays inside row hh of the plane.
                            ref T d = ref Unsafe.Add(ref dRef, planeBase + hh * w + w0 + jLo);
                            ref T c0 = ref Unsafe.Add(ref cRef, src + jLo);
                            for (int j = 0; j < run; j++) Unsafe.Add(ref d, j) += Unsafe.Add(ref c0, j);
                        }
                    }
                }
        }
    }

    // ---- pooling ------------------------------------------------------------------------------

    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax)
    {
        var g = ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad);
        if (IsF32(x, "MaxPool2d")) MaxPoolT<float>(x, g, y, argmax); else MaxPoolT<double>(x, g, y, argmax);
    }

    /// <summary>
    /// y[n, c, oh, ow] = max over the window, skipping padding (so padding acts as −∞ like PyTorch);
    /// argmax = h·W + w of the first maximum in row-major window order. Parallel over planes (n, c).
    /// </summary>
    private static void MaxPoolT<T>(Tensor x, ConvGeometry g, Tensor y, Tensor argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        var am = (int[])((CpuStorage)argmax.Storage).Data;
        int inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        For((long)g.N * g.C, (s, e) =>
        {
            for (int nc = s; nc < e; nc++)
            {
                var plane = xs.AsSpan(nc * inPlane, inPlane);
                if (g.Pad == 0)
                {
                    // No padding: every window lies inside the plane (OH, OW were rounded down), so the
                    // loops start from the window's first element and need no bounds checks. The geometry
                    // is copied to locals so the JIT keeps it in registers.
                    ref T p0 = ref MemoryMarshal.GetReference(plane);
                    ref T y0 = ref ys[nc * outPlane];
                    ref int a0 = ref am[nc * outPlane];
                    int oH = g.OH, oW = g.OW, w = g.W, stride = g.Stride, kH = g.KH, kW = g.KW;
                    if (kH == 2 && kW == 2 && stride == 2 && typeof(T) == typeof(float) && Avx2.IsSupported && oW >= 8)
                    {
                        MaxPool2x2Avx2(ref Unsafe.As<T, float>(ref p0), ref Unsafe.As<T, float>(ref y0), ref a0, oH, oW, w);
                        continue;
                    }
                    if (kH == 2 && kW == 2 && stride == 2)
                    {
                        // The common 2×2, stride-2 window: four reads per output, compared in window order.
                        for (int oh = 0; oh < oH; oh++)
                            for (int ow = 0; ow < oW; ow++)
                            {
                                int i0 = 2 * oh * w + 2 * ow, best = i0;
                                T bv = Unsafe.Add(ref p0, i0), v;
                                if (Beats(v = Unsafe.Add(ref p0, i0 + 1), bv)) { bv = v; best = i0 + 1; }
                                if (Beats(v = Unsafe.Add(ref p0, i0 + w), bv)) { bv = v; best = i0 + w; }
                                if (Beats(v = Unsafe.Add(ref p0, i0 + w + 1), bv)) { bv = v; best = i0 + w + 1; }
                                Unsafe.Add(ref y0, oh * oW + ow) = bv;
                                Unsafe.Add(ref a0, oh * oW + ow) = best;
                            }
                        continue;
                    }
                    for (int oh = 0; oh < oH; oh++)
                        for (int ow = 0; ow < oW; ow++)
                        {
                            int origin = oh * stride * w + ow * stride, best = origin;
                            T bv = Unsafe.Add(ref p0, origin);
                            for (int i = 0; i < kH; i++)
                            {
                                int row = origin + i * w;
                                for (int j = 0; j < kW; j++)
                                {
                                    T v = Unsafe.Add(ref p0, row + j);
                                    if (Beats(v, bv)) { bv = v; best = row + j; }
                                }
                            }
                            Unsafe.Add(ref y0, oh * oW + ow) = bv;
                            Unsafe.Add(ref a0, oh * oW + ow) = best;
                        }
                    continue;
                }
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        int best = -1;
                        T bv = T.Zero;
                        for (int i = 0; i < g.KH; i++)
                        {
                            int hh = oh * g.Stride - g.Pad + i;
                            if (hh < 0 || hh >= g.H) continue;
                            for (int j = 0; j < g.KW; j++)
                            {
                                int ww = ow * g.Stride - g.Pad + j;
                                if (ww < 0 || ww >= g.W) continue;
                                T v = plane[hh * g.W + ww];
                                if (best < 0 || Beats(v, bv)) { bv = v; best = hh * g.W + ww; }
                            }
                        }
                        int o = nc * outPlane + oh * g.OW + ow;
                        ys[o] = bv;
                        am[o] = best < 0 ? 0 : best;
                    }
            }
        }, grain: Grain((long)outPlane * g.KH * g.KW));
    }

    /// <summary>
    /// 2×2, stride-2 max pooling of one float plane (y, argmax as in <see cref="MaxPoolT{T}"/>), 8 outputs per
    /// step with AVX2: 16 floats of each of the window's two input rows are split into even and odd columns,
    /// giving the top-left, top-right, bottom-left and bottom-right values of 8 neighbouring windows, which
    /// are compared in that (window) order with <see cref="Beats{T}"/> and blends — the scalar loop's rule, so the
    /// first maximum wins and a NaN beats any number (PyTorch's max pooling). Needs OW ≥ 8; a row's last block starts at OW − 8
    /// (outputs it shares with the previous block are written twice, with the same values).
    /// </summary>
    private static void MaxPool2x2Avx2(ref float p0, ref float y0, ref int a0, int oH, int oW, int w)
    {
        var lane = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14); // window origin columns, relative to the block's first
        Vector256<int> right = Vector256.Create(1), below = Vector256.Create(w), belowRight = Vector256.Create(w + 1);
        for (int oh = 0; oh < oH; oh++)
        {
            int rowBase = 2 * oh * w;
            for (int ow = 0; ; ow += 8)
            {
                if (ow > oW - 8) ow = oW - 8;
                ref float top = ref Unsafe.Add(ref p0, rowBase + 2 * ow);
                ref float bottom = ref Unsafe.Add(ref top, w);
                var (tl, tr) = SplitEvenOdd(Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref top, 8));
                var (bl, br) = SplitEvenOdd(Vector256.LoadUnsafe(ref bottom), Vector256.LoadUnsafe(ref bottom, 8));
                var best = tl;
                var at = Vector256<int>.Zero;
                var gt = Vector256.GreaterThan(tr, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(tr, tr));
                best = Vector256.ConditionalSelect(gt, tr, best);
                at = Vector256.ConditionalSelect(gt.AsInt32(), right, at);
                gt = Vector256.GreaterThan(bl, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(bl, bl));
                best = Vector256.ConditionalSelect(gt, bl, best);
                at = Vector256.ConditionalSelect(gt.AsInt32(), below, at);
                gt = Vector256.GreaterThan(br, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(br, br));
                best = Vector256.ConditionalSelect(gt, br, best);
                at = Vector256.ConditionalSelect(gt.AsInt32(), belowRight, at);
                nuint o = (nuint)(oh * oW + ow);
                best.StoreUnsafe(ref y0, o);
                (Vector256.Create(rowBase + 2 * ow) + lane + at).StoreUnsafe(ref a0, o);
                if (ow == oW - 8) break;
            }
        }
    }

    /// <summary>(a ‖ b) [16 floats] → its even-indexed and its odd-indexed elements, 8 each, in order.</summary>
    private static (Vector256<float> Even, Vector256<float> Odd) SplitEvenOdd(Vector256<float> a, Vector256<float> b)
    {
        // Per 128-bit lane, shuffle takes a[0], a[2], b[0], b[2] (or the odd ones); the 64-bit permute then
        // puts the lanes' pairs in order: (a0 a2)(a4 a6)(b0 b2)(b4 b6).
        var even = Avx.Shuffle(a, b, 0b10_00_10_00);
        var odd = Avx.Shuffle(a, b, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx)
    {
        if (IsF32(dy, "MaxPool2dBackward")) MaxPoolBackwardT<float>(dy, argmax, dx); else MaxPoolBackwardT<double>(dy, argmax, dx);
    }

    /// <summary>dx[n, c, argmax[n, c, oh, ow]] += dy[n, c, oh, ow] after clearing dx. Parallel over planes.</summary>
    private static void MaxPoolBackwardT<T>(Tensor dy, Tensor argmax, Tensor dx) where T : unmanaged, INumberBase<T>
    {
        var gs = (T[])((CpuStorage)dy.Storage).Data;
        var am = (int[])((CpuStorage)argmax.Storage).Data;
        var ds = (T[])((CpuStorage)dx.Storage).Data;
        int planes = dx.ShapeRef[0] * dx.ShapeRef[1];
        int inPlane = dx.ShapeRef[2] * dx.ShapeRef[3], outPlane = dy.ShapeRef[2] * dy.ShapeRef[3];
        For(planes, (s, e) =>
        {
            for (int nc = s; nc < e; nc++)
            {
                var d = ds.AsSpan(nc * inPlane, inPlane);
                d.Clear();
                for (int k = 0; k < outPlane; k++) d[am[nc * outPlane + k]] += gs[nc * outPlane + k];
            }
        }, grain: Grain(inPlane + outPlane));
    }

    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y)
    {
        var g = ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad);
        if (IsF32(x, "AvgPool2d")) AvgPoolT<float>(x, g, y); else AvgPoolT<double>(x, g, y);
    }

    /// <summary>y[n, c, oh, ow] = (Σ of the window's in-image values) / (KH·KW): padding counts as 0. Parallel over planes.</summary>
    private static void AvgPoolT<T>(Tensor x, ConvGeometry g, Tensor y) where T : unmanaged, INumberBase<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        int inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        T count = T.CreateChecked(g.KH * g.KW);
        For((long)g.N * g.C, (s, e) =>
        {
            for (int nc = s; nc < e; nc++)
            {
                var plane = xs.AsSpan(nc * inPlane, inPlane);
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        T acc = T.Zero;
                        for (int i = 0; i < g.KH; i++)
                        {
                            int hh = oh * g.Stride - g.Pad + i;
                            if (hh < 0 || hh >= g.H) continue;
                            for (int j = 0; j < g.KW; j++)
                            {
                                int ww = ow * g.Stride - g.Pad + j;
                                if (ww >= 0 && ww < g.W) acc += plane[hh * g.W + ww];
                            }
                        }
                        ys[nc * outPlane + oh * g.OW + ow] = acc / count;
                    }
            }
        }, grain: Grain((long)outPlane * g.KH * g.KW));
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx)
    {
        var g = ConvGeometry.Of(dx.ShapeRef, kh, kw, stride, pad);
        if (IsF32(dy, "AvgPool2dBackward")) AvgPoolBackwardT<float>(dy, g, dx); else AvgPoolBackwardT<double>(dy, g, dx);
    }

    /// <summary>dx (cleared) += dy[n, c, oh, ow] / (KH·KW) at every in-image cell of window (oh, ow). Parallel over planes.</summary>
    private static void AvgPoolBackwardT<T>(Tensor dy, ConvGeometry g, Tensor dx) where T : unmanaged, INumberBase<T>
    {
        var gs = (T[])((CpuStorage)dy.Storage).Data;
        var ds = (T[])((CpuStorage)dx.Storage).Data;
        int inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        T count = T.CreateChecked(g.KH * g.KW);
        For((long)g.N * g.C, (s, e) =>
        {
            for (int nc = s; nc < e; nc++)
            {
                var d = ds.AsSpan(nc * inPlane, inPlane);
                d.Clear();
                for (int oh = 0; oh < g.OH; oh++)
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        T v = gs[nc * outPlane + oh * g.OW + ow] / count;
                        for (int i = 0; i < g.KH; i++)
                        {
                            int hh = oh * g.Stride - g.Pad + i;
                            if (hh < 0 || hh >= g.H) continue;
                            for (int j = 0; j < g.KW; j++)
                            {
                                int ww = ow * g.Stride - g.Pad + j;
                                if (ww >= 0 && ww < g.W) d[hh * g.W + ww] += v;
                            }
                        }
                    }
            }
        }, grain: Grain((long)outPlane * g.KH * g.KW));
    }
}
