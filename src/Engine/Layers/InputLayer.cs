namespace Engine.Layers;

/// <summary>
/// keras.layers.InputLayer: declares the input shape (without the batch axis) of a Sequential model;
/// it computes nothing and, as in Keras's Sequential summary, is not listed.
/// </summary>
public sealed class InputLayer(int[] inputShape, string? name = null) : Layer(name, inputShape ?? throw new ArgumentNullException(nameof(inputShape)))
{
    /// <inheritdoc/>
    public override string ClassName => "InputLayer";

    /// <inheritdoc/>
    public override string NamePrefix => "input";

    internal override bool LayoutFree => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false)
    {
        CheckInput(x);
        return x;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new() { ["batch_input_shape"] = new int?[] { null }.Concat(DeclaredInputShape!.Select(d => (int?)d)).ToArray() };
}
