using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Binary cross-entropy on probabilities (torch.nn.BCELoss(weight=None, reduction='mean')):
/// −weight·(t·log x + (1−t)·log(1−x)), logs clamped at −100.
/// </summary>
public sealed class BCELoss(Tensor? weight = null, string reduction = "mean") : Loss(reduction)
{
    /// <summary>Weight broadcast to the input, or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.BinaryCrossEntropy(input, target, Weight, Reduction);
}
