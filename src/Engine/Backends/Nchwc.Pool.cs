using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Pooling and inference batch norm on blocked images: every position is one vector of 16 channels, so a window's max
// or mean is a handful of vector operations per output, and batch norm one multiply-add per position.
internal static partial class Nchwc
{
    /// <summary>
    /// Max pooling of a blocked x with a kh × kw window, one stride and symmetric zero-free padding (positions outside
    /// the image are skipped, as with −∞ padding): blocked y [N, C/16, OH, OW, 16]. A NaN in a window gives NaN.
    /// </summary>
    internal static Tensor MaxPool(Tensor x, int kh, int kw, int stride, int pad) =>
        Pool(x, kh, kw, stride, pad, max: true);

    /// <summary>Average pooling of a blocked x, kh × kw windows with one stride and no padding: blocked y.</summary>
    internal static Tensor AvgPool(Tensor x, int kh, int kw, int stride) => Pool(x, kh, kw, stride, 0, max: false);

    private static unsafe Tensor Pool(Tensor x, int kh, int kw, int stride, int pad, bool max)
    {
        if (!IsBlocked(x)) throw new ArgumentException($"Nchwc: pooling expects a blocked image, got {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), cb = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        int oh = OutputSize(h, kh, stride, pad, 1), ow = OutputSize(w, kw, stride, pad, 1);
        if (oh <= 0 || ow <= 0 || pad > kh / 2 || pad > kw / 2)
            throw new ArgumentException($"Nchwc: a {kh}×{kw} window with stride {stride} and pad {pad} does not fit a {h}×{w} image (pad at most half the window).");
        var y = Empty(n, cb * Block, oh, ow, x.Device);
        float[] xs = Floats(x), ys = Floats(y);
        var scale = Vector512.Create(1f / (kh * kw));
        WorkerPool.For(n * cb, plane =>
        {
            fixed (float* px = xs, py = ys)
            {
                float* src = px + (long)plane * h * w * Block, dst = py + (long)plane * oh * ow * Block;
                for (int r = 0; r < oh; r++)
                {
                    int i0 = Math.Max(0, r * stride - pad), i1 = Math.Min(h, r * stride - pad + kh);
                    for (int o = 0; o < ow; o++)
                    {
                        int j0 = Math.Max(0, o * stride - pad), j1 = Math.Min(w, o * stride - pad + kw);
                        var m = max ? Vector512.Create(float.NegativeInfinity) : Vector512<float>.Zero;
                        var nan = Vector512<float>.Zero;
                        for (int i = i0; i < i1; i++)
                        {
                            float* row = src + (long)i * w * Block;
                            for (int j = j0; j < j1; j++)
                            {
                                var v = Vector512.Load(row + j * Block);
                                if (max)
                                {
                                    // maxps keeps m where v is NaN; the NaN lanes are remembered and win at the end.
                                    m = Avx512F.Max(v, m);
                                    nan |= ~Vector512.Equals(v, v);
                                }
                                else m += v;
                            }
                        }
                        if (max) m = Vector512.ConditionalSelect(nan, Vector512.Create(float.NaN), m);
                        (max ? m : m * scale).Store(dst + ((long)r * ow + o) * Block);
                    }
                }
            }
        });
        return y;
    }

    /// <summary>
    /// Inference batch norm of a blocked x with per-channel running statistics [C]: y = (x − mean) / √(var + ε) · scale
    /// + bias, computed as x · a + (bias − mean · a) with a = scale / √(var + ε) per channel (float32; blocked y).
    /// </summary>
    internal static unsafe Tensor BatchNorm(Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, double eps)
    {
        if (!IsBlocked(x)) throw new ArgumentException($"Nchwc.BatchNorm: expects a blocked image, got {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), cb = x.Dim(1), plane = x.Dim(2) * x.Dim(3), c = cb * Block;
        foreach (var (t, name) in new[] { (scale, "scale"), (bias, "bias"), (mean, "mean"), (var, "var") })
            if (t.Size != c) throw new ArgumentException($"Nchwc.BatchNorm: {name} has {t.Size} values for {c} channels.");
        double[] s = scale.ToDoubleArray(), b = bias.ToDoubleArray(), m = mean.ToDoubleArray(), v = var.ToDoubleArray();
        var a = new float[c];
        var shift = new float[c];
        for (int i = 0; i < c; i++)
        {
            a[i] = (float)(s[i] / Math.Sqrt(v[i] + eps));
            shift[i] = (float)(b[i] - m[i] * a[i]);
        }
        var y = Empty(n, c, x.Dim(2), x.Dim(3), x.Device);
        float[] xs = Floats(x), ys = Floats(y);
        WorkerPool.For(n * cb, nb =>
        {
            int block = nb % cb;
            var va = Vector512.Create(a.AsSpan(block * Block, Block));
            var vb = Vector512.Create(shift.AsSpan(block * Block, Block));
            fixed (float* px = xs, py = ys)
            {
                float* src = px + (long)nb * plane * Block, dst = py + (long)nb * plane * Block;
                for (int i = 0; i < plane; i++)
                    Vector512.FusedMultiplyAdd(Vector512.Load(src + i * Block), va, vb).Store(dst + i * Block);
            }
        });
        return y;
    }
}
