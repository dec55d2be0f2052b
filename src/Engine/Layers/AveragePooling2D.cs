using Engine.Functional;

namespace Engine.Layers;

/// <summary>keras.layers.AveragePooling2D: the mean of each window (channels-last).</summary>
public sealed class AveragePooling2D(IntPair? poolSize = null, IntPair? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize, strides, padding, inputShape, name)
{
    /// <inheritdoc/>
    public override string ClassName => "AveragePooling2D";

    /// <inheritdoc/>
    public override string NamePrefix => "average_pooling2d";

    /// <inheritdoc/>
    protected override Tensor Pool(Tensor x) => F.AvgPool2d(x, (PoolSize.H, PoolSize.W), (Strides.H, Strides.W));
}
