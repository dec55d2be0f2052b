using Engine.Functional;

namespace Engine.Nn;

/// <summary>Mean squared error (torch.nn.MSELoss): (input − target)², reduced by mean (default), sum or none.</summary>
public sealed class MSELoss(string reduction = "mean") : Loss(reduction)
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.Mse(input, target, Reduction);
}
