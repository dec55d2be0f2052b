using System.Numerics;

namespace Engine;

// Batch normalisation over x [N, C, S] (S = H·W, or 1 for [N, C]), channel by channel. Sums in double.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd)
        => Dispatch(x, "BatchNorm", new BatchNormCall(x, gamma, beta, runningMean, runningVar, training, momentum, eps, y, saveMean, saveInvStd));

    private readonly record struct BatchNormCall(Tensor X, Tensor Gamma, Tensor Beta, Tensor RunningMean, Tensor RunningVar,
        bool Training, double Momentum, double Eps, Tensor Y, Tensor SaveMean, Tensor SaveInvStd) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
            => BatchNormT(Data<T>(X), X.ShapeRef[0], X.ShapeRef[1], X.ShapeRef[2], Data<T>(Gamma), Data<T>(Beta), Data<T>(RunningMean), Data<T>(RunningVar),
                Training, Momentum, Eps, Data<T>(Y), Data<T>(SaveMean), Data<T>(SaveInvStd));
    }

    /// <summary>
    /// Per channel c, over its M = N·S values: training → μ = mean, σ² = mean of (x − μ)² (biased), running
    /// r = (1 − m)·r + m·batch with the unbiased variance σ²·M/(M − 1); eval → μ, σ² = the running stats.
    /// y = γ·(x − μ)/√(σ² + ε) + β; saveMean = μ, saveInvStd = 1/√(σ² + ε).
    /// </summary>
    private static void BatchNormT<T>(T[] x, int n, int c, int s, T[] gamma, T[] beta, T[] runningMean, T[] runningVar,
        bool training, double momentum, double eps, T[] y, T[] saveMean, T[] saveInvStd) where T : IFloatingPointIeee754<T>
    {
        long m = (long)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double mean, var;
            if (training)
            {
                double sum = 0, sq = 0;
                for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sum += D(x[((long)i * c + ch) * s + k]);
                mean = sum / m;
                for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) { double d = D(x[((long)i * c + ch) * s + k]) - mean; sq += d * d; }
                var = sq / m;
                double unbiased = m > 1 ? var * m / (m - 1) : var;
                runningMean[ch] = Of<T>((1 - momentum) * D(runningMean[ch]) + momentum * mean);
                runningVar[ch] = Of<T>((1 - momentum) * D(runningVar[ch]) + momentum * unbiased);
            }
            else
            {
                mean = D(runningMean[ch]);
                var = D(runningVar[ch]);
            }
            double invStd = 1 / Math.Sqrt(var + eps);
            saveMean[ch] = Of<T>(mean);
            saveInvStd[ch] = Of<T>(invStd);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    long at = ((long)i * c + ch) * s + k;
                    y[at] = Of<T>(D(gamma[ch]) * (D(x[at]) - mean) * invStd + D(beta[ch]));
                }
        }
    }

    /// <inheritdoc/>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta)
        => Dispatch(x, "BatchNormBackward", new BatchNormBackwardCall(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta));

    private readonly record struct BatchNormBackwardCall(Tensor X, Tensor Dy, Tensor Gamma, Tensor SaveMean, Tensor SaveInvStd,
        Tensor Dx, Tensor Dgamma, Tensor Dbeta) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
            => BatchNormBackwardT(Data<T>(X), X.ShapeRef[0], X.ShapeRef[1], X.ShapeRef[2], Data<T>(Dy), Data<T>(Gamma), Data<T>(SaveMean), Data<T>(SaveInvStd),
                Data<T>(Dx), Data<T>(Dgamma), Data<T>(Dbeta));
    }

    /// <summary>
    /// Per channel, with x̂ = (x − μ)·invStd and M = N·S (DLfS's BatchNormalization.backward):
    /// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·invStd/M · (M·dy − dβ − x̂·dγ).
    /// </summary>
    private static void BatchNormBackwardT<T>(T[] x, int n, int c, int s, T[] dy, T[] gamma, T[] saveMean, T[] saveInvStd,
        T[] dx, T[] dgamma, T[] dbeta) where T : IFloatingPointIeee754<T>
    {
        long m = (long)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double mean = D(saveMean[ch]), invStd = D(saveInvStd[ch]), sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    long at = ((long)i * c + ch) * s + k;
                    sumDy += D(dy[at]);
                    sumDyXhat += D(dy[at]) * (D(x[at]) - mean) * invStd;
                }
            dbeta[ch] = Of<T>(sumDy);
            dgamma[ch] = Of<T>(sumDyXhat);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    long at = ((long)i * c + ch) * s + k;
                    double xhat = (D(x[at]) - mean) * invStd;
                    dx[at] = Of<T>(D(gamma[ch]) * invStd / m * (m * D(dy[at]) - sumDy - xhat * sumDyXhat));
                }
        }
    }
}
