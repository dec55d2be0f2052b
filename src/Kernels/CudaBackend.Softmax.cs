namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    private static (long Rows, long C) RowsOf(Tensor x)
    {
        long c = x.Rank == 0 ? 1 : x.ShapeRef[^1];
        return (c == 0 ? 0 : x.Size / c, c);
    }

    /// <inheritdoc/>
    public void Softmax(Tensor x, Tensor y) => Run("Softmax", [x, y], () =>
    {
        var (rows, c) = RowsOf(x);
        PerRow("softmax_" + F(x, "Softmax"), rows, c, x.DType.SizeOf(), P(x), P(y), c);
    });

    /// <inheritdoc/>
    public void LogSoftmax(Tensor x, Tensor y) => Run("LogSoftmax", [x, y], () =>
    {
        var (rows, c) = RowsOf(x);
        PerRow("log_softmax_" + F(x, "LogSoftmax"), rows, c, x.DType.SizeOf(), P(x), P(y), c);
    });

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(Tensor logits, Tensor target, Tensor probs, Tensor loss, double delta)
    {
        OpChecks.CheckLogGuard(delta);
        long n = logits.ShapeRef[0], c = logits.ShapeRef[1];
        string sfx = F(logits, "SoftmaxCrossEntropy");
        Run("SoftmaxCrossEntropy", [logits, target, probs, loss], () =>
        {
            if (target.DType.IsFloat())
                PerRow("softmax_cross_entropy_" + sfx, n, c, logits.DType.SizeOf(), P(logits), P(target), P(probs), P(loss), c, S(logits, delta));
            else
                PerRow("softmax_cross_entropy_index_" + sfx, n, c, logits.DType.SizeOf(), P(logits), P(target), target.DType == DType.Int64 ? 1 : 0, P(probs), P(loss), c, _errors, S(logits, delta));
        });
        if (!target.DType.IsFloat()) CheckIndexErrors("CrossEntropy", c);
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropyBackward(Tensor probs, Tensor target, double scale, Tensor dx)
    {
        long c = probs.ShapeRef[1];
        string sfx = F(probs, "SoftmaxCrossEntropyBackward");
        Run("SoftmaxCrossEntropyBackward", [probs, target, dx], () =>
        {
            if (target.DType.IsFloat())
                Elementwise("softmax_cross_entropy_backward_" + sfx, probs.Size, P(probs), P(target), S(probs, scale), P(dx), probs.Size);
            else
                Elementwise("softmax_cross_entropy_backward_index_" + sfx, probs.Size, P(probs), P(target), target.DType == DType.Int64 ? 1 : 0, S(probs, scale), P(dx), probs.Size, c, _errors);
        });
        if (!target.DType.IsFloat()) CheckIndexErrors("CrossEntropy", c);
    }
}
