namespace Engine.Layers;

/// <summary>keras.initializers.Zeros: every element 0 (Keras's default bias initialiser).</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc/>
    public override string ClassName => "Zeros";

    /// <inheritdoc/>
    public override double[] Sample(int[] shape, Generator generator) => new double[Tensor.SizeOf(shape)];
}
