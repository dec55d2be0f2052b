namespace Engine.Nn;

/// <summary>
/// Batch normalisation over images [N, C, H, W] (torch.nn.BatchNorm2d): per channel C, statistics over
/// N, H and W. eps 1e-5, momentum 0.1 by default.
/// </summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true,
    DType dtype = DType.Float32, Device? device = null) : BatchNormBase(numFeatures, eps, momentum, affine, dtype, device)
{
    /// <inheritdoc/>
    protected override void CheckInput(Tensor input)
    {
        if (input.Rank != 4)
            throw new ArgumentException($"BatchNorm2d: expected 4-D input [N, {NumFeatures}, H, W], but got shape {Tensor.ShapeString(input.Shape)}.");
    }
}
