using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Negative log-likelihood of log-probabilities (torch.nn.NLLLoss(weight=None, ignore_index=-100,
/// reduction='mean')): −weight[y]·input[y] per sample; see <see cref="F.NllLoss"/>.
/// </summary>
public sealed class NLLLoss(Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean") : Loss(reduction)
{
    /// <summary>Per-class weight [C], or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <summary>Target value whose rows add nothing and are left out of the mean (-100 by default).</summary>
    public long IgnoreIndex { get; } = ignoreIndex;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.NllLoss(input, target, Weight, IgnoreIndex, Reduction);
}
