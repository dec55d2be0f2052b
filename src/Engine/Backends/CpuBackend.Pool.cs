using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Max and average pooling (NCHW), with the window geometry of the conv loops (ConvGeometry); parallel
// over (image, channel) planes, so no two threads write the same element. Every window walk takes its
// in-plane rows and columns from WindowSpan; the 2×2 and 3×3 max-pooling shortcuts sit beside it.
public sealed partial class CpuBackend
{
    /// <summary>
    /// One axis of pooling window o: it covers input positions start + t for t in [0, k), start = o·stride − pad,
    /// and [Lo, Hi) are the t whose position lies inside [0, size) (Lo ≥ Hi when none does: a window wholly in the padding).
    /// </summary>
    private static (int Start, int Lo, int Hi) WindowSpan(int o, int stride, int pad, int k, int size)
    {
        int start = o * stride - pad;
        return (start, Math.Max(0, -start), Math.Min(k, size - start));
    }

    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax)
        => Dispatch(x, "MaxPool2d", new MaxPoolCall(x, ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad), y, argmax));

    private readonly record struct MaxPoolCall(Tensor X, ConvGeometry G, Tensor Y, Tensor Argmax) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => MaxPoolT<T>(X, G, Y, Argmax);
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
                var yPlane = ys.AsSpan(nc * outPlane, outPlane);
                var aPlane = am.AsSpan(nc * outPlane, outPlane);
                if (g.KH == 2 && g.KW == 2 && g.Stride == 2 && g.Pad == 0) MaxPool2x2Plane(plane, g, yPlane, aPlane);
                else MaxPoolPlane(plane, g, yPlane, aPlane);
            }
        }, grain: Grain((long)outPlane * g.KH * g.KW));
    }

    /// <summary>
    /// One plane of <see cref="MaxPoolT{T}"/> for the 2×2, stride-2, unpadded window (every window inside the
    /// plane, OH and OW rounded down): with AVX2, 8 float outputs at a time (<see cref="MaxPool2x2Avx2"/>; narrower
    /// planes one output row at a time, <see cref="MaxPool2x2Narrow"/>);
    /// otherwise four reads per output, compared in window order.
    /// </summary>
    private static void MaxPool2x2Plane<T>(Span<T> plane, ConvGeometry g, Span<T> y, Span<int> argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The geometry is copied to locals so the JIT keeps it in registers.
        ref T p0 = ref MemoryMarshal.GetReference(plane);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref int a0 = ref MemoryMarshal.GetReference(argmax);
        int oH = g.OH, oW = g.OW, w = g.W;
        if (typeof(T) == typeof(float) && Avx2.IsSupported && oW >= 8)
        {
            MaxPool2x2Avx2(ref Unsafe.As<T, float>(ref p0), ref Unsafe.As<T, float>(ref y0), ref a0, oH, oW, w);
            return;
        }
        if (typeof(T) == typeof(float) && Avx2.IsSupported)
        {
            MaxPool2x2Narrow(MemoryMarshal.Cast<T, float>(plane), MemoryMarshal.Cast<T, float>(y), argmax, oH, oW, w);
            return;
        }
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
    }

    /// <summary>
    /// One plane of <see cref="MaxPoolT{T}"/> for any window: each window is clipped to the plane once
    /// (<see cref="WindowSpan"/>: rows [iLo, iHi), columns [jLo, jHi) inside it), so the loops over it need
    /// no bounds checks; the first in-plane element starts the maximum, the rest are compared in row-major
    /// window order. A window wholly in the padding (possible only when pad ≥ kernel) gives y = 0, argmax = 0.
    /// </summary>
    private static void MaxPoolPlane<T>(Span<T> plane, ConvGeometry g, Span<T> y, Span<int> argmax) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oH = g.OH, oW = g.OW, h = g.H, w = g.W, kH = g.KH, kW = g.KW, stride = g.Stride, pad = g.Pad;
        ref T p0 = ref MemoryMarshal.GetReference(plane);
        // ResNet's 3×3, stride-2, pad-1 float pooling: 8 outputs at a time where their columns are inside
        // the plane (ow ≥ 1 and 2·ow + 1 ≤ W − 1), the borders one at a time below.
        bool avx = typeof(T) == typeof(float) && kH == 3 && kW == 3 && stride == 2 && pad == 1 && Avx2.IsSupported;
        int vecLast = (w - 2) / 2; // last output column whose window columns are all inside the plane
        for (int oh = 0; oh < oH; oh++)
        {
            var (h0, iLo, iHi) = WindowSpan(oh, stride, pad, kH, h);
            for (int ow = 0; ow < oW; ow++)
            {
                if (avx && ow >= 1 && ow + 7 <= vecLast && iLo < iHi && (h0 + iHi - 1) * w + 2 * ow + 16 < plane.Length)
                {
                    MaxPool3x3Stride2Avx2(ref Unsafe.As<T, float>(ref p0), w, h0, iLo, iHi, ow,
                        ref Unsafe.As<T, float>(ref y[oh * oW + ow]), ref argmax[oh * oW + ow]);
                    ow += 7;
                    continue;
                }
                var (w0, jLo, jHi) = WindowSpan(ow, stride, pad, kW, w);
                int o = oh * oW + ow;
                if (iLo >= iHi || jLo >= jHi) { y[o] = T.Zero; argmax[o] = 0; continue; }
                // Bounds were established above: rows h0+iLo..h0+iHi−1 and columns w0+jLo..w0+jHi−1 lie in the plane.
                int best = (h0 + iLo) * w + w0 + jLo;
                T bv = Unsafe.Add(ref p0, best);
                for (int i = iLo; i < iHi; i++)
                {
                    int row = (h0 + i) * w + w0;
                    for (int j = i == iLo ? jLo + 1 : jLo; j < jHi; j++)
                    {
                        T v = Unsafe.Add(ref p0, row + j);
                        if (Beats(v, bv)) { bv = v; best = row + j; }
                    }
                }
                y[o] = bv;
                argmax[o] = best;
            }
        }
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx)
        => Dispatch(dy, "MaxPool2dBackward", new MaxPoolBackwardCall(dy, argmax, dx));

    private readonly record struct MaxPoolBackwardCall(Tensor Dy, Tensor Argmax, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => MaxPoolBackwardT<T>(Dy, Argmax, Dx);
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
        => Dispatch(x, "AvgPool2d", new AvgPoolCall(x, ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad), y));

    private readonly record struct AvgPoolCall(Tensor X, ConvGeometry G, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => AvgPoolT<T>(X, G, Y);
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
                {
                    var (h0, iLo, iHi) = WindowSpan(oh, g.Stride, g.Pad, g.KH, g.H);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        var (w0, jLo, jHi) = WindowSpan(ow, g.Stride, g.Pad, g.KW, g.W);
                        T acc = T.Zero;
                        for (int i = iLo; i < iHi; i++)
                            for (int j = jLo; j < jHi; j++) acc += plane[(h0 + i) * g.W + w0 + j];
                        ys[nc * outPlane + oh * g.OW + ow] = acc / count;
                    }
                }
            }
        }, grain: Grain((long)outPlane * g.KH * g.KW));
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx)
        => Dispatch(dy, "AvgPool2dBackward", new AvgPoolBackwardCall(dy, ConvGeometry.Of(dx.ShapeRef, kh, kw, stride, pad), dx));

    private readonly record struct AvgPoolBackwardCall(Tensor Dy, ConvGeometry G, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => AvgPoolBackwardT<T>(Dy, G, Dx);
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
                {
                    var (h0, iLo, iHi) = WindowSpan(oh, g.Stride, g.Pad, g.KH, g.H);
                    for (int ow = 0; ow < g.OW; ow++)
                    {
                        var (w0, jLo, jHi) = WindowSpan(ow, g.Stride, g.Pad, g.KW, g.W);
                        T v = gs[nc * outPlane + oh * g.OW + ow] / count;
                        for (int i = iLo; i < iHi; i++)
                            for (int j = jLo; j < jHi; j++) d[(h0 + i) * g.W + w0 + j] += v;
                    }
                }
            }
        }, grain: Grain((long)outPlane * g.KH * g.KW));
    }
}
