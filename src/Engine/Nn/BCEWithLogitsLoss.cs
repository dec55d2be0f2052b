using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Sigmoid and binary cross-entropy in one stable step (torch.nn.BCEWithLogitsLoss(weight=None,
/// reduction='mean', pos_weight=None)); see <see cref="F.BinaryCrossEntropyWithLogits"/>.
/// </summary>
public sealed class BCEWithLogitsLoss(Tensor? weight = null, string reduction = "mean", Tensor? posWeight = null) : Loss(reduction)
{
    /// <summary>Weight broadcast to the input, or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <summary>Weight of the positive term, one per class (broadcast along the last axis), or null.</summary>
    public Tensor? PosWeight { get; } = posWeight;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.BinaryCrossEntropyWithLogits(input, target, Weight, Reduction, PosWeight);
}
