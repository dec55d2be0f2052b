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

    /// <inheritdoc/>
    protected override Tensor Pool(Tensor x) => F.MaxPool2d(x, (PoolSize.H, PoolSize.W), (Strides.H, Strides.W));
}
