using Engine.Functional;

namespace Engine.Nn;

/// <summary>Mean absolute error (torch.nn.L1Loss(reduction='mean')): |input − target|, reduced.</summary>
public sealed class L1Loss(string reduction = "mean") : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.L1Loss(input, target, Reduction);
}
