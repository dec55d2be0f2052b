namespace Engine.Scratch;

/// <summary>
/// A layer of a from-scratch network (DLfS chapter 5): <see cref="Forward"/> computes the output and
/// caches exactly what <see cref="Backward"/> needs; <see cref="Backward"/> takes the upstream
/// gradient dL/dout and returns dL/dx (and keeps gradients of its own parameters, if any).
/// </summary>
public interface ILayer
{
    /// <summary>out = layer(x); remembers what the backward pass needs.</summary>
    Tensor Forward(Tensor x);

    /// <summary>dx = dL/dx from dout = dL/dout (same shape as the last forward's output).</summary>
    Tensor Backward(Tensor dout);

    /// <summary>
    /// The backward of a layer whose dx nobody reads (a net's first layer: the input images need no gradient, as
    /// PyTorch skips inputs without requires_grad): the layer's own parameter gradients only. By default
    /// <see cref="Backward"/> with dx thrown away; Affine and Convolution skip computing it.
    /// </summary>
    void BackwardParams(Tensor dout) => Backward(dout).Dispose();
}
