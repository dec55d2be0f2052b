namespace Engine.Scratch;

/// <summary>
/// Softmax followed by cross-entropy, the last layer of a classifier (DLfS 5.6.3), on the backend's
/// fused SoftmaxCrossEntropy: softmax subtracts the row max; the loss is the batch mean of
/// −Σ t·log(y + δ) with DLfS's guard δ = 1e-7 (the one place the engine keeps it); backward gives (y − t)/N. Targets are one-hot [N, C]
/// or integer labels [N]. Backward is the exact gradient only for δ = 0 (the guard shifts it by
/// about δ/y), so gradient checks set <see cref="Delta"/> to 0, which computes −Σ t·log_softmax(x).
/// </summary>
public sealed class SoftmaxWithLoss
{
    /// <summary>DLfS's guard inside the log.</summary>
    public const double DefaultDelta = 1e-7;

    /// <summary>A loss layer with the log guard <paramref name="delta"/> (DLfS: 1e-7).</summary>
    public SoftmaxWithLoss(double delta = DefaultDelta) => Delta = delta;

    /// <summary>The guard δ inside log(y + δ): 1e-7 (DLfS, the backend's fused op) or any value ≥ 0 (0 = exact log-softmax).</summary>
    public double Delta
    {
        get;
        set => field = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"SoftmaxWithLoss: Delta must be a finite number ≥ 0, got {value}.");
    }

    /// <summary>The last loss (a 0-d tensor, mean over the batch); null before the first forward.</summary>
    public Tensor? Loss { get; private set; }

    /// <summary>Softmax output [N, C] of the last forward (DLfS <c>y</c>).</summary>
    public Tensor? Y { get; private set; }

    /// <summary>The last targets (DLfS <c>t</c>): one-hot [N, C] of the scores' dtype, or Int32/Int64 labels [N].</summary>
    public Tensor? T { get; private set; }

    /// <summary>x [N, C] scores and t (one-hot [N, C] or labels [N]) → mean cross-entropy (0-d tensor).</summary>
    public Tensor Forward(Tensor x, Tensor t)
    {
        T = t = LayerChecks.SoftmaxTargets(x, t);
        int n = x.Dim(0), c = x.Dim(1);
        Y = Tensor.Zeros([n, c], x.DType, x.Device);
        if (Delta == DefaultDelta)
        {
            using var perRow = Tensor.Zeros([n], x.DType, x.Device);
            x.Backend.SoftmaxCrossEntropy(x, t, Y, perRow, Delta);
            Loss = perRow.Mean();
            return Loss;
        }
        // Any other guard (0 in the gradient checks): −Σ t·log(y + δ) / N written out with tensor ops.
        x.Backend.Softmax(x, Y);
        using var logY = Delta == 0 ? x.LogSoftmax() : (Y + Delta).Log();
        using var oneHot = t.DType.IsFloat() ? null : t.OneHot(c, x.DType);
        using var picked = logY * (oneHot ?? t);
        using var total = picked.Sum();
        Loss = total * (-1.0 / n);
        return Loss;
    }

    /// <summary>dx = dout · (y − t)/N [N, C] (dout = dL/dloss, 1 for the loss itself).</summary>
    public Tensor Backward(double dout = 1)
    {
        var y = LayerChecks.Cached("SoftmaxWithLoss.Backward", Y, "softmax output");
        var dx = Tensor.ZerosLike(y);
        y.Backend.SoftmaxCrossEntropyBackward(y, T!, dout / y.Dim(0), dx);
        return dx;
    }
}
