namespace Engine.Nn;

/// <summary>
/// Batch normalisation over [N, C] or [N, C, L] (torch.nn.BatchNorm1d): per feature C, statistics over
/// N (and L). eps 1e-5, momentum 0.1 by default.
/// </summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true,
    DType dtype = DType.Float32, Device? device = null) : BatchNormBase(numFeatures, eps, momentum, affine, dtype, device)
{
    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.Rank is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d: expected 2-D or 3-D input [N, {NumFeatures}] or [N, {NumFeatures}, L], but got shape {Tensor.ShapeString(input.Shape)}.");
    }
}
