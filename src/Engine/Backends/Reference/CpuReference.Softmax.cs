using System.Numerics;

namespace Engine;

// Softmax, log-softmax and the fused softmax + cross-entropy over rows of the last axis.
// Sums of exponentials are taken in double for both float32 and float64.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void Softmax(Tensor x, Tensor y) => Dispatch(x, "Softmax", new SoftmaxCall(x, y, Log: false));

    /// <inheritdoc/>
    public void LogSoftmax(Tensor x, Tensor y) => Dispatch(x, "LogSoftmax", new SoftmaxCall(x, y, Log: true));

    /// <summary>Each row of the last axis (length c): softmax or log-softmax (<see cref="Row{T}"/>).</summary>
    private readonly record struct SoftmaxCall(Tensor X, Tensor Y, bool Log) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), y = Data<T>(Y);
            int c = X.Rank == 0 ? 1 : X.ShapeRef[^1];
            long rows = c == 0 ? 0 : x.LongLength / c;
            for (long r = 0; r < rows; r++) Row(x, y, r * c, c, Log);
        }
    }

    /// <summary>
    /// One row at offset o: m = max x; s = Σ exp(x − m); softmax y = exp(x − m) / s, log-softmax y = x − m − log s.
    /// Returns (m, s). A row holding NaN or +∞, or all −∞, comes out NaN (as in PyTorch).
    /// </summary>
    private static (T Max, double Sum) Row<T>(T[] x, T[] y, long o, int c, bool log) where T : IFloatingPointIeee754<T>
    {
        T max = T.NegativeInfinity;
        for (int j = 0; j < c; j++) max = T.Max(max, x[o + j]);
        double sum = 0;
        for (int j = 0; j < c; j++) sum += D(T.Exp(x[o + j] - max));
        T logSum = Of<T>(Math.Log(sum)), total = Of<T>(sum);
        for (int j = 0; j < c; j++) y[o + j] = log ? x[o + j] - max - logSum : T.Exp(x[o + j] - max) / total;
        return (max, sum);
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(Tensor logits, Tensor target, Tensor probs, Tensor loss, double delta)
    {
        OpChecks.CheckLogGuard(delta);
        Dispatch(logits, "SoftmaxCrossEntropy", new SoftmaxCrossEntropyCall(logits, target, probs, loss, delta));
    }

    /// <summary>
    /// p = softmax(x) per row; loss[i] = −Σ_j t[i, j] · log p[i, j] (one-hot or soft t [N, C]) or −log p[i, t[i]]
    /// (labels [N]), with log p = log(p + δ) for δ &gt; 0 (DLfS) and the exact x − m − log Σ exp(x − m) for δ = 0
    /// (PyTorch). Zero targets add nothing (their log is skipped, so −0·log 0 never makes NaN).
    /// </summary>
    private readonly record struct SoftmaxCrossEntropyCall(Tensor Logits, Tensor Target, Tensor Probs, Tensor Loss, double Delta) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(Logits), p = Data<T>(Probs), loss = Data<T>(Loss);
            T delta = Of<T>(Delta);
            int n = Logits.ShapeRef[0], c = Logits.ShapeRef[1];
            T[]? t = Target.DType.IsFloat() ? Data<T>(Target) : null;
            for (int i = 0; i < n; i++)
            {
                long o = (long)i * c;
                var (max, sum) = Row(x, p, o, c, log: false);
                T logSum = Of<T>(Math.Log(sum));
                T LogP(long j) => delta == T.Zero ? x[j] - max - logSum : T.Log(p[j] + delta);
                if (t is null) { loss[i] = -LogP(o + Label(Target, i, c, "SoftmaxCrossEntropy")); continue; }
                T acc = T.Zero;
                for (long j = o; j < o + c; j++)
                    if (t[j] != T.Zero) acc -= t[j] * LogP(j);
                loss[i] = acc;
            }
        }
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropyBackward(Tensor probs, Tensor target, double scale, Tensor dx)
        => Dispatch(probs, "SoftmaxCrossEntropyBackward", new SoftmaxCrossEntropyBackwardCall(probs, target, scale, dx));

    /// <summary>dx = (p − t) · scale, where t is the float target or the one-hot of the labels.</summary>
    private readonly record struct SoftmaxCrossEntropyBackwardCall(Tensor Probs, Tensor Target, double Scale, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] p = Data<T>(Probs), dx = Data<T>(Dx);
            T scale = Of<T>(Scale);
            int n = Probs.ShapeRef[0], c = Probs.ShapeRef[1];
            T[]? t = Target.DType.IsFloat() ? Data<T>(Target) : null;
            for (int i = 0; i < n; i++)
            {
                int label = t is null ? Label(Target, i, c, "SoftmaxCrossEntropyBackward") : -1;
                for (int j = 0; j < c; j++)
                {
                    long ij = (long)i * c + j;
                    T tij = t is null ? (j == label ? T.One : T.Zero) : t[ij];
                    dx[ij] = (p[ij] - tij) * scale;
                }
            }
        }
    }
}
