using Engine.Functional;

namespace Engine.Nn;

/// <summary>Binary cross-entropy on probabilities (torch.nn.BCELoss): −(t·log x + (1−t)·log(1−x)), logs clamped at −100.</summary>
public sealed class BCELoss(string reduction = "mean") : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.BinaryCrossEntropy(input, target, Reduction);
}
