using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Softmax cross-entropy of raw scores (torch.nn.CrossEntropyLoss(weight=None, ignore_index=-100,
/// reduction='mean', label_smoothing=0.0)): input [C], [N, C] or [N, C, d1, …] and class indices or class
/// probabilities; see <see cref="F.CrossEntropy"/> for the formulas. Exact log-softmax (no guard).
/// </summary>
public sealed class CrossEntropyLoss(Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean", double labelSmoothing = 0.0)
    : Loss(reduction)
{
    /// <summary>Per-class weight [C], or null.</summary>
    public Tensor? Weight { get; } = weight;

    /// <summary>Target value whose rows add nothing and are left out of the mean (-100 by default).</summary>
    public long IgnoreIndex { get; } = ignoreIndex;

    /// <summary>ε in [0, 1]: the targets become (1 − ε)·target + ε/C.</summary>
    public double LabelSmoothing { get; } = labelSmoothing;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);
}
