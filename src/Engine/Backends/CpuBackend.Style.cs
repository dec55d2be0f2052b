using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void TotalVariation(Tensor x, Tensor loss)
        => Dispatch(x, "TotalVariation", new TotalVariationCall(x, loss));

    private readonly record struct TotalVariationCall(Tensor X, Tensor Loss) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => TotalVariationT<T>(X, Loss);
    }

    /// <inheritdoc/>
    public void TotalVariationBackward(Tensor x, Tensor dy, Tensor dx)
        => Dispatch(x, "TotalVariationBackward", new TotalVariationBackwardCall(x, dy, dx));

    private readonly record struct TotalVariationBackwardCall(Tensor X, Tensor Dy, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => TotalVariationBackwardT<T>(X, Dy, Dx);
    }

    /// <summary>s = a + b at (i, j) of one H×W plane p: the squared differences to the pixel below and to the right.</summary>
    private static double TvSum<T>(T[] p, long o, int w, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double c = double.CreateTruncating(p[o + (long)i * w + j]);
        double a = c - double.CreateTruncating(p[o + (long)(i + 1) * w + j]);
        double b = c - double.CreateTruncating(p[o + (long)i * w + j + 1]);
        return a * a + b * b;
    }

    /// <summary>
    /// loss[n] = Σ_{c, i&lt;H−1, j&lt;W−1} s^1.25 with s^1.25 = s·√√s, in double: each plane row's sum made in
    /// parallel, then the rows added in order (the same bits on any number of threads).
    /// </summary>
    private static void TotalVariationT<T>(Tensor x, Tensor loss) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ls = (T[])((CpuStorage)loss.Storage).Data;
        int n = x.ShapeRef[0], c = x.ShapeRef[1], h = x.ShapeRef[2], w = x.ShapeRef[3];
        var rowSums = new double[(long)n * c * h];
        For(rowSums.Length, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int i = r % h;
                if (i == h - 1) continue;
                long o = (long)(r / h) * h * w;
                double sum = 0;
                for (int j = 0; j < w - 1; j++)
                {
                    double s = TvSum(xs, o, w, i, j);
                    sum += s * Math.Sqrt(Math.Sqrt(s));
                }
                rowSums[r] = sum;
            }
        }, grain: Math.Max(1, ParallelThreshold / Math.Max(w, 1)));
        for (int img = 0; img < n; img++)
        {
            double sum = 0;
            for (long r = (long)img * c * h; r < (long)(img + 1) * c * h; r++) sum += rowSums[r];
            ls[img] = T.CreateTruncating(sum);
        }
    }

    /// <summary>
    /// dx[n, c, i, j] = dy[n] · (the three terms of IBackend.TotalVariationBackward), one plane row per task: the
    /// factors 2.5·s^0.25 of rows i − 1 and i are made once per pixel (each enters three gradients).
    /// </summary>
    private static void TotalVariationBackwardT<T>(Tensor x, Tensor dy, Tensor dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var gs = (T[])((CpuStorage)dy.Storage).Data;
        var ds = (T[])((CpuStorage)dx.Storage).Data;
        int c = x.ShapeRef[1], h = x.ShapeRef[2], w = x.ShapeRef[3];
        long rows = (long)x.ShapeRef[0] * c * h;
        For(rows, (r0, r1) =>
        {
            // above[j], here[j]: 2.5·s^0.25 at (i − 1, j) and (i, j), j < W − 1 (rows and columns with s only).
            var above = new double[Math.Max(w - 1, 0)];
            var here = new double[Math.Max(w - 1, 0)];
            for (int r = r0; r < r1; r++)
            {
                int plane = r / h, i = r % h;
                long o = (long)plane * h * w;
                double g = double.CreateTruncating(gs[plane / c]);
                if (i > 0 && r == r0) TvFactors(xs, o, w, i - 1, above);
                if (i < h - 1) TvFactors(xs, o, w, i, here);
                for (int j = 0; j < w; j++)
                    ds[o + (long)i * w + j] = T.CreateTruncating(g * TvGradient(xs, o, h, w, i, j, above, here));
                (above, here) = (here, above);
            }
        }, grain: Math.Max(1, ParallelThreshold / Math.Max(w, 1)));
    }

    /// <summary>d[j] = 2.5·s^0.25 of pixel (i, j) of one plane, j &lt; W − 1 (row i &lt; H − 1).</summary>
    private static void TvFactors<T>(T[] p, long o, int w, int i, double[] d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < w - 1; j++) d[j] = 2.5 * Math.Sqrt(Math.Sqrt(TvSum(p, o, w, i, j)));
    }

    /// <summary>
    /// ∂/∂x[i, j] of Σ s^1.25 over one plane: 2.5·s^0.25 times each difference x[i, j] takes part in, the factors of
    /// rows i − 1 and i given in <paramref name="above"/> and <paramref name="here"/>.
    /// </summary>
    private static double TvGradient<T>(T[] p, long o, int h, int w, int i, int j, double[] above, double[] here) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double x = double.CreateTruncating(p[o + (long)i * w + j]), g = 0;
        if (i < h - 1 && j < w - 1)
            g += here[j] * (2 * x - double.CreateTruncating(p[o + (long)(i + 1) * w + j]) - double.CreateTruncating(p[o + (long)i * w + j + 1]));
        if (i > 0 && j < w - 1)
            g -= above[j] * (double.CreateTruncating(p[o + (long)(i - 1) * w + j]) - x);
        if (j > 0 && i < h - 1)
            g -= here[j - 1] * (double.CreateTruncating(p[o + (long)i * w + j - 1]) - x);
        return g;
    }
}
