namespace Engine.Layers;

/// <summary>keras.layers.Activation: applies "relu", "sigmoid", "tanh", "softmax" (last axis) or "linear".</summary>
public sealed class Activation : Layer
{
    /// <summary>An activation layer.</summary>
    public Activation(string activation, int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        Function = Activations.Check(activation, "Activation");
    }

    /// <summary>The activation's name.</summary>
    public string Function { get; }

    /// <inheritdoc/>
    public override string ClassName => "Activation";

    /// <inheritdoc/>
    public override string NamePrefix => "activation";

    // Softmax works on the last axis, which is the channel axis only in channels-last layout.
    internal override bool LayoutFree => Function != "softmax";

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false) => Activations.Apply(Function, x);

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new() { ["activation"] = Function };
}
