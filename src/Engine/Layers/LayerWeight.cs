namespace Engine.Layers;

/// <summary>
/// One weight of a layer: its short name ("kernel", "bias", "gamma", "moving_mean", …), the tensor
/// holding it (channels-last Keras layout), and whether training changes it.
/// </summary>
public sealed class LayerWeight(Layer layer, string name, Tensor value, bool trainable)
{
    /// <summary>The layer that owns it.</summary>
    public Layer Layer { get; } = layer;

    /// <summary>Short name, e.g. "kernel".</summary>
    public string Name { get; } = name;

    /// <summary>Keras's full name, e.g. "dense_1/kernel:0" (the key in saved files).</summary>
    public string FullName => $"{Layer.Name}/{Name}:0";

    /// <summary>The values (the same tensor object for the layer's life; loading copies into it).</summary>
    public Tensor Value { get; } = value;

    /// <summary>True when the optimiser updates it (and the layer is trainable).</summary>
    public bool Trainable => trainable && Layer.Trainable;
}
