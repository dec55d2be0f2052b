using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Max pooling for inference: the values only, no argmax. ResNet's float 3×3, stride-2, pad-1 window runs separably:
// each input row's maxima over column triples (2·ow − 1, 2·ow, 2·ow + 1) once, then each output the maximum of
// three such row maxima. Comparing first along a row and then across rows keeps the first maximum in row-major
// window order (a NaN beating any number), so y is the same bits as MaxPool2d's.
public sealed partial class CpuBackend
{
    /// <summary>
    /// y [N, C, OH, OW] = max pooling of x [N, C, H, W] (kh × kw window, one stride and padding for both axes,
    /// padding never wins), the same values as <see cref="MaxPool2d"/> without its argmax.
    /// </summary>
    internal void MaxPool2dValues(Tensor x, int kh, int kw, int stride, int pad, Tensor y)
    {
        var g = ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad);
        if (y.DType != x.DType || Tensor.SizeOf(y.ShapeRef) != (long)g.N * g.C * g.OH * g.OW)
            throw new ArgumentException($"MaxPool2dValues: expected y [{g.N}, {g.C}, {g.OH}, {g.OW}] {x.DType.Name()}, got {Tensor.ShapeString(y.Shape)} {y.DType.Name()}.");
        if (x.DType == DType.Float32 && kh == 3 && kw == 3 && stride == 2 && pad == 1 && Avx2.IsSupported)
        {
            MaxPool3x3Stride2Values(Data<float>(x), g, Data<float>(y));
            return;
        }
        using var argmax = Tensor.Empty(y.Shape, DType.Int32, y.Device);
        MaxPool2d(x, kh, kw, stride, pad, y, argmax);
    }

    /// <summary>ys = 3×3, stride-2, pad-1 max pooling of xs for geometry g, plane by plane in parallel.</summary>
    private static unsafe void MaxPool3x3Stride2Values(float[] xs, ConvGeometry g, float[] ys)
    {
        int inPlane = g.H * g.W, outPlane = g.OH * g.OW;
        For((long)g.N * g.C, (s, e) =>
        {
            float[] rows = ArrayPool<float>.Shared.Rent(3 * g.OW);
            try
            {
                fixed (float* px = xs, py = ys, pr = rows)
                    for (int nc = s; nc < e; nc++)
                        MaxPool3x3Stride2Plane(px + (long)nc * inPlane, g, py + (long)nc * outPlane, pr);
            }
            finally { ArrayPool<float>.Shared.Return(rows); }
        }, grain: Grain(9L * outPlane));
    }

    /// <summary>
    /// One plane: y [OH, OW] from x [H, W] through row maxima m_r [OW] (m_r[ow] = first maximum of x[r, 2·ow − 1 ..
    /// 2·ow + 1] inside the plane); y[oh, ow] = first maximum of m_{2oh−1}, m_{2oh}, m_{2oh+1} (rows inside the plane).
    /// <paramref name="rows"/> holds three rows of OW: the shared odd row m_{2oh+1} is kept for the next output row.
    /// </summary>
    private static unsafe void MaxPool3x3Stride2Plane(float* x, ConvGeometry g, float* y, float* rows)
    {
        int ow = g.OW;
        float* above = rows, middle = rows + ow, below = rows + 2 * ow; // m_{2oh−1}, m_{2oh}, m_{2oh+1}
        for (int oh = 0; oh < g.OH; oh++)
        {
            int r = 2 * oh;
            RowMaxima(x + (long)r * g.W, g.W, ow, middle);
            bool hasAbove = r >= 1, hasBelow = r + 1 < g.H;
            if (hasBelow) RowMaxima(x + (long)(r + 1) * g.W, g.W, ow, below);
            float* to = y + (long)oh * ow;
            // First maximum in row order: above (when in the plane), then middle, then below.
            if (hasAbove) FirstMax(above, middle, to, ow); else new Span<float>(middle, ow).CopyTo(new Span<float>(to, ow));
            if (hasBelow) FirstMax(to, below, to, ow);
            float* kept = below; // m_{2oh+1} is m_{2(oh+1)−1}
            below = above;
            above = kept;
        }
    }

    /// <summary>m[o] = first maximum of x[2o − 1], x[2o], x[2o + 1] (those in [0, w)) for o &lt; ow, 8 at a time where all 18 floats read are in the row.</summary>
    private static unsafe void RowMaxima(float* x, int w, int ow, float* m)
    {
        int o = 0;
        if (Avx2.IsSupported)
        {
            int last = (w - 17) / 2; // last block start o0 with x[2·o0 − 1 .. 2·o0 + 16] in the row
            if (last >= 1 && last + 8 <= ow)
            {
                m[0] = ScalarRowMax(x, w, 0);
                for (o = 1; ; o += 8)
                {
                    if (o > last) o = last;
                    float* at = x + 2 * o;
                    var best = FirstMax(FirstMax(Evens(at - 1), Evens(at)), Evens(at + 1));
                    best.Store(m + o);
                    if (o == last) break;
                }
                o = last + 8;
            }
        }
        for (; o < ow; o++) m[o] = ScalarRowMax(x, w, o);
    }

    /// <summary>First maximum of x[2o − 1], x[2o], x[2o + 1], those in [0, w).</summary>
    private static unsafe float ScalarRowMax(float* x, int w, int o)
    {
        int j0 = Math.Max(0, 2 * o - 1), j1 = Math.Min(w, 2 * o + 2);
        float best = x[j0];
        for (int j = j0 + 1; j < j1; j++)
            if (Beats(x[j], best)) best = x[j];
        return best;
    }

    /// <summary>to[t] = first maximum of (a[t], b[t]) for t &lt; count (b wins only when it beats a); to may be a.</summary>
    private static unsafe void FirstMax(float* a, float* b, float* to, int count)
    {
        int t = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; t + 8 <= count; t += 8) FirstMax(Vector256.Load(a + t), Vector256.Load(b + t)).Store(to + t);
        for (; t < count; t++) to[t] = Beats(b[t], a[t]) ? b[t] : a[t];
    }

    /// <summary>Lane-wise: v where v beats best (greater, or NaN over a number), else best.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> FirstMax(Vector256<float> best, Vector256<float> v)
    {
        return Vector256.ConditionalSelect(BeatsMask(v, best), v, best);
    }

    /// <summary>from[0], from[2], …, from[14]: the even elements of 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Evens(float* from) => SplitEvenOdd(Vector256.Load(from), Vector256.Load(from + 8)).Even;
}
