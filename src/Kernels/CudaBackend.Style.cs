namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void TotalVariation(Tensor x, Tensor loss) => Run("TotalVariation", [x, loss], () =>
    {
        long c = x.ShapeRef[1], h = x.ShapeRef[2], w = x.ShapeRef[3];
        PerRow("total_variation_" + F(x, "TotalVariation"), x.ShapeRef[0], c * Math.Max(h - 1, 0) * Math.Max(w - 1, 0), sizeof(double), P(x), P(loss), c, h, w);
    });

    /// <inheritdoc/>
    public void TotalVariationBackward(Tensor x, Tensor dy, Tensor dx) => Run("TotalVariationBackward", [x, dy, dx], () =>
    {
        long c = x.ShapeRef[1], h = x.ShapeRef[2], w = x.ShapeRef[3];
        Elementwise("total_variation_backward_" + F(x, "TotalVariationBackward"), dx.Size, P(x), P(dy), P(dx), dx.Size, c, h, w);
    });
}
