using Engine.Functional;

namespace Engine.Layers;

/// <summary>keras.layers.MaxPooling2D: the maximum of each window (channels-last).</summary>
public sealed class MaxPooling2D(IntPair? poolSize = null, IntPair? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize, strides, padding, inputShape, name)
{
    /// <inheritdoc/>
    public override string ClassName => "MaxPooling2D";

    /// <inheritdoc/>
    public override string NamePrefix => "max_pooling2d";

    /// <summary>
    /// F.MaxPool2d, whose padding never wins the max, pads (top, left) on both sides; the odd extra row or
    /// column "same" puts after is added first, filled with the lowest finite value of the dtype (every window
    /// holds at least one input cell, so it never wins; finite, because a masked sum of −∞ would give NaN).
    /// </summary>
    protected override Tensor Pool(Tensor x, int top, int bottom, int left, int right)
    {
        if (bottom > top || right > left)
            x = F.Pad2d(x, 0, bottom - top, 0, right - left, x.DType == DType.Float64 ? double.MinValue : float.MinValue);
        return F.MaxPool2d(x, (PoolSize.H, PoolSize.W), (Strides.H, Strides.W), (top, left));
    }
}
