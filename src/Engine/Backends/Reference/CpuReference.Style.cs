using System.Numerics;

namespace Engine;

// Total variation loss of style transfer (Chollet's form) and its gradient, over x [N, C, H, W]. Sums in double.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void TotalVariation(Tensor x, Tensor loss) => Dispatch(x, "TotalVariation", new TotalVariationCall(x, loss));

    /// <summary>s(i, j) = a² + b², a = x[i, j] − x[i+1, j], b = x[i, j] − x[i, j+1] within plane o (an offset into x).</summary>
    private static double TvS<T>(T[] x, long o, int w, int i, int j) where T : IFloatingPointIeee754<T>
    {
        double a = D(x[o + (long)i * w + j]) - D(x[o + (long)(i + 1) * w + j]);
        double b = D(x[o + (long)i * w + j]) - D(x[o + (long)i * w + j + 1]);
        return a * a + b * b;
    }

    /// <summary>loss[n] = Σ over c, i &lt; H−1, j &lt; W−1 of s(i, j)^1.25.</summary>
    private readonly record struct TotalVariationCall(Tensor X, Tensor Loss) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), loss = Data<T>(Loss);
            int n = X.ShapeRef[0], c = X.ShapeRef[1], h = X.ShapeRef[2], w = X.ShapeRef[3];
            for (int img = 0; img < n; img++)
            {
                double sum = 0;
                for (int ch = 0; ch < c; ch++)
                {
                    long o = ((long)img * c + ch) * h * w;
                    for (int i = 0; i < h - 1; i++)
                        for (int j = 0; j < w - 1; j++) sum += Math.Pow(TvS(x, o, w, i, j), 1.25);
                }
                loss[img] = Of<T>(sum);
            }
        }
    }

    /// <inheritdoc/>
    public void TotalVariationBackward(Tensor x, Tensor dy, Tensor dx) => Dispatch(x, "TotalVariationBackward", new TotalVariationBackwardCall(x, dy, dx));

    /// <summary>
    /// dx[n, c, i, j] = dy[n] · (d(i, j)·(2x[i, j] − x[i+1, j] − x[i, j+1]) − d(i−1, j)·(x[i−1, j] − x[i, j])
    /// − d(i, j−1)·(x[i, j−1] − x[i, j])) with d = 2.5·s^0.25, each term only where its (i, j) lies in [0, H−1) × [0, W−1).
    /// </summary>
    private readonly record struct TotalVariationBackwardCall(Tensor X, Tensor Dy, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), dy = Data<T>(Dy), dx = Data<T>(Dx);
            int n = X.ShapeRef[0], c = X.ShapeRef[1], h = X.ShapeRef[2], w = X.ShapeRef[3];
            for (int img = 0; img < n; img++)
                for (int ch = 0; ch < c; ch++)
                {
                    long o = ((long)img * c + ch) * h * w;
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < w; j++)
                        {
                            double xij = D(x[o + (long)i * w + j]), g = 0;
                            if (i < h - 1 && j < w - 1)
                                g += 2.5 * Math.Pow(TvS(x, o, w, i, j), 0.25) * (2 * xij - D(x[o + (long)(i + 1) * w + j]) - D(x[o + (long)i * w + j + 1]));
                            if (i > 0 && j < w - 1)
                                g -= 2.5 * Math.Pow(TvS(x, o, w, i - 1, j), 0.25) * (D(x[o + (long)(i - 1) * w + j]) - xij);
                            if (j > 0 && i < h - 1)
                                g -= 2.5 * Math.Pow(TvS(x, o, w, i, j - 1), 0.25) * (D(x[o + (long)i * w + j - 1]) - xij);
                            dx[o + (long)i * w + j] = Of<T>(D(dy[img]) * g);
                        }
                }
        }
    }
}
