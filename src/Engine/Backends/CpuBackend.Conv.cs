using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine;

// Convolution as im2col/col2im (NCHW), the layout the GEMMs of Conv2d read. Geometry (shared with the
// pooling loops): x [N, C, H, W], window KH×KW, one stride and one zero padding for both axes,
// OH = (H + 2·pad − KH)/stride + 1, OW likewise. Every loop is parallel over output rows or images, so
// no two threads write the same element.
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
        => Dispatch(x, "Im2Col", new Im2ColCall(x, ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad), cols));

    private readonly record struct Im2ColCall(Tensor X, ConvGeometry G, Tensor Cols) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Im2ColT<T>(X, G, Cols);
    }

    /// <summary>
    /// cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] = x[n, c, oh·s − p + i, ow·s − p + j], 0 outside the
    /// image. Parallel over output rows (n, oh); each window row is KW plain element copies (a call to
    /// a block copy per 5 elements would cost more than the copy; floats take one vector copy), without bounds checks: the window's
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
        bool wideRows = typeof(T) == typeof(float) && kw <= Vector256<float>.Count && Vector256.IsHardwareAccelerated;
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
                bool padded = iLo > 0 || iHi < kh || jLo > 0 || jHi < kw;
                if (padded) MemoryMarshal.CreateSpan(ref row, width).Clear(); // a window touching padding
                // A float window inside the image with KW ≤ 8 copies each window row as one 8-float vector: the
                // extra elements land on the next window rows of the same cols row, which are written after it.
                // Window rows whose 8 floats would pass the cols row's end (or x's end) are copied element by element.
                bool wide = wideRows && !padded;
                for (int c = 0; c < ch; c++)
                {
                    // Bounds were established above: rows iLo..iHi, columns jLo..jHi stay inside plane (n, c)
                    // (refs are formed only at in-image elements, never before the array).
                    int src = (n * ch + c) * plane + w0 + jLo, dst = c * kh * kw + jLo;
                    for (int i = iLo; i < iHi; i++)
                    {
                        int at = src + (h0 + i) * w, to = dst + i * kw;
                        ref T si = ref Unsafe.Add(ref xRef, at);
                        ref T di = ref Unsafe.Add(ref row, to);
                        if (wide && to + Vector256<float>.Count <= width && at + Vector256<float>.Count <= xs.Length)
                            Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref si)).StoreUnsafe(ref Unsafe.As<T, float>(ref di));
                        else
                            for (int j = 0; j < run; j++) Unsafe.Add(ref di, j) = Unsafe.Add(ref si, j);
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx)
        => Dispatch(dx, "Col2Im", new Col2ImCall(cols, ConvGeometry.Of(dx.ShapeRef, kh, kw, stride, pad), dx));

    private readonly record struct Col2ImCall(Tensor Cols, ConvGeometry G, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Col2ImT<T>(Cols, G, Dx);
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
}
