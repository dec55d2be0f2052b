namespace Engine.Layers;

/// <summary>keras.layers.Flatten: [N, d1, d2, …] → [N, d1·d2·…] in channels-last order (as Keras, so saved Dense weights match).</summary>
public sealed class Flatten(int[]? inputShape = null, string? name = null) : Layer(name, inputShape)
{
    /// <inheritdoc/>
    public override string ClassName => "Flatten";

    /// <inheritdoc/>
    public override string NamePrefix => "flatten";

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => [(int)Tensor.SizeOf(inputShape)];

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false)
    {
        CheckInput(x);
        return x.Reshape(x.Dim(0), -1);
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new();
}
