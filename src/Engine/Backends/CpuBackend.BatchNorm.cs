using System.Numerics;

namespace Engine;

// Batch normalisation reference loops over x [N, C, S] (S = H·W, or 1 for [N, C]); one channel per
// parallel work item. Sums are accumulated in double for both float32 and float64.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd)
        => Dispatch(x, "BatchNorm", new BatchNormCall(x, gamma, beta, runningMean, runningVar, training, momentum, eps, y, saveMean, saveInvStd));

    private readonly record struct BatchNormCall(Tensor X, Tensor Gamma, Tensor Beta, Tensor RunningMean, Tensor RunningVar,
        bool Training, double Momentum, double Eps, Tensor Y, Tensor SaveMean, Tensor SaveInvStd) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => BatchNormT<T>(X, Gamma, Beta, RunningMean, RunningVar, Training, Momentum, Eps, Y, SaveMean, SaveInvStd);
    }

    /// <summary>
    /// Per channel c: training → mean and biased variance over the N·S values (two passes), saved as
    /// saveMean[c] and saveInvStd[c] = 1/√(var + eps), running stats r = (1−m)·r + m·batch with the unbiased
    /// variance (var·M/(M−1), M = N·S; plain var when M = 1); eval → saveMean = runningMean,
    /// saveInvStd = 1/√(runningVar + eps). Then y = γ·(x − mean)·invStd + β.
    /// </summary>
    private static void BatchNormT<T>(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        var ga = (T[])((CpuStorage)gamma.Storage).Data;
        var be = (T[])((CpuStorage)beta.Storage).Data;
        var rm = (T[])((CpuStorage)runningMean.Storage).Data;
        var rv = (T[])((CpuStorage)runningVar.Storage).Data;
        var sm = (T[])((CpuStorage)saveMean.Storage).Data;
        var si = (T[])((CpuStorage)saveInvStd.Storage).Data;
        int n = x.ShapeRef[0], c = x.ShapeRef[1], s = x.ShapeRef[2];
        long m = (long)n * s;
        For(c, (lo, hi) =>
        {
            for (int ch = lo; ch < hi; ch++)
            {
                double mean, invStd;
                if (training)
                {
                    double acc = 0;
                    for (int i = 0; i < n; i++)
                        foreach (var v in xs.AsSpan((i * c + ch) * s, s)) acc += double.CreateTruncating(v);
                    mean = acc / m;
                    double sq = 0;
                    for (int i = 0; i < n; i++)
                        foreach (var v in xs.AsSpan((i * c + ch) * s, s)) { double d = double.CreateTruncating(v) - mean; sq += d * d; }
                    double var = sq / m;
                    invStd = 1 / Math.Sqrt(var + eps);
                    double unbiased = m > 1 ? var * m / (m - 1) : var;
                    rm[ch] = T.CreateTruncating((1 - momentum) * double.CreateTruncating(rm[ch]) + momentum * mean);
                    rv[ch] = T.CreateTruncating((1 - momentum) * double.CreateTruncating(rv[ch]) + momentum * unbiased);
                }
                else
                {
                    mean = double.CreateTruncating(rm[ch]);
                    invStd = 1 / Math.Sqrt(double.CreateTruncating(rv[ch]) + eps);
                }
                sm[ch] = T.CreateTruncating(mean);
                si[ch] = T.CreateTruncating(invStd);
                // y = scale·x + shift with scale = γ·invStd, shift = β − mean·scale.
                double scale = double.CreateTruncating(ga[ch]) * invStd;
                double shift = double.CreateTruncating(be[ch]) - mean * scale;
                for (int i = 0; i < n; i++)
                {
                    int o = (i * c + ch) * s;
                    for (int k = 0; k < s; k++) ys[o + k] = T.CreateTruncating(double.CreateTruncating(xs[o + k]) * scale + shift);
                }
            }
        }, grain: Grain(2 * m));
    }

    /// <inheritdoc/>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta)
        => Dispatch(x, "BatchNormBackward", new BatchNormBackwardCall(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta));

    private readonly record struct BatchNormBackwardCall(Tensor X, Tensor Dy, Tensor Gamma, Tensor SaveMean, Tensor SaveInvStd,
        Tensor Dx, Tensor Dgamma, Tensor Dbeta) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => BatchNormBackwardT<T>(X, Dy, Gamma, SaveMean, SaveInvStd, Dx, Dgamma, Dbeta);
    }

    /// <summary>
    /// Per channel, with x̂ = (x − mean)·invStd and M = N·S: dβ = Σ dy, dγ = Σ dy·x̂,
    /// dx = γ·invStd/M · (M·dy − dβ − x̂·dγ) (the batch statistics depend on x).
    /// </summary>
    private static void BatchNormBackwardT<T>(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var gs = (T[])((CpuStorage)dy.Storage).Data;
        var ds = (T[])((CpuStorage)dx.Storage).Data;
        var ga = (T[])((CpuStorage)gamma.Storage).Data;
        var sm = (T[])((CpuStorage)saveMean.Storage).Data;
        var si = (T[])((CpuStorage)saveInvStd.Storage).Data;
        var dg = (T[])((CpuStorage)dgamma.Storage).Data;
        var db = (T[])((CpuStorage)dbeta.Storage).Data;
        int n = x.ShapeRef[0], c = x.ShapeRef[1], s = x.ShapeRef[2];
        long m = (long)n * s;
        For(c, (lo, hi) =>
        {
            for (int ch = lo; ch < hi; ch++)
            {
                double mean = double.CreateTruncating(sm[ch]), invStd = double.CreateTruncating(si[ch]);
                double sumDy = 0, sumDyXhat = 0;
                for (int i = 0; i < n; i++)
                {
                    int o = (i * c + ch) * s;
                    for (int k = 0; k < s; k++)
                    {
                        double g = double.CreateTruncating(gs[o + k]);
                        sumDy += g;
                        sumDyXhat += g * (double.CreateTruncating(xs[o + k]) - mean) * invStd;
                    }
                }
                db[ch] = T.CreateTruncating(sumDy);
                dg[ch] = T.CreateTruncating(sumDyXhat);
                double k0 = double.CreateTruncating(ga[ch]) * invStd / m;
                for (int i = 0; i < n; i++)
                {
                    int o = (i * c + ch) * s;
                    for (int k = 0; k < s; k++)
                    {
                        double xhat = (double.CreateTruncating(xs[o + k]) - mean) * invStd;
                        ds[o + k] = T.CreateTruncating(k0 * (m * double.CreateTruncating(gs[o + k]) - sumDy - xhat * sumDyXhat));
                    }
                }
            }
        }, grain: Grain(2 * m));
    }
}
