namespace Engine.Layers;

/// <summary>keras.initializers.Ones: every element 1 (BatchNormalization's gamma and moving variance).</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc/>
    public override string ClassName => "Ones";

    /// <inheritdoc/>
    public override double[] Sample(int[] shape, Generator generator)
    {
        var v = new double[Tensor.SizeOf(shape)];
        Array.Fill(v, 1.0);
        return v;
    }
}
