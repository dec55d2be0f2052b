using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Smooth L1 (torch.nn.SmoothL1Loss(reduction='mean', beta=1.0)): 0.5·d²/β where |d| &lt; β, else |d| − 0.5·β.
/// </summary>
public sealed class SmoothL1Loss(string reduction = "mean", double beta = 1.0) : Loss(reduction)
{
    /// <summary>The threshold β ≥ 0 between the quadratic and the linear part (β = 0: L1).</summary>
    public double Beta { get; } = beta >= 0 && double.IsFinite(beta) ? beta
        : throw new ArgumentOutOfRangeException(nameof(beta), $"SmoothL1Loss: beta must be a finite number ≥ 0, got {beta}.");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.SmoothL1Loss(input, target, Reduction, Beta);
}
