using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Softmax cross-entropy of raw scores (torch.nn.CrossEntropyLoss): logits [N, C] and either Int32/Int64
/// class indices [N] or one-hot/probability targets [N, C]. Uses the fused backend op
/// <see cref="IBackend.SoftmaxCrossEntropy"/> and its fused backward.
/// </summary>
public sealed class CrossEntropyLoss(string reduction = "mean") : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.CrossEntropy(input, target, Reduction);
}
