namespace Engine.Layers;

/// <summary>keras.initializers.GlorotUniform (Keras's default kernel initialiser): U(−l, l), l = √(6/(fan_in + fan_out)).</summary>
public sealed class GlorotUniform() : VarianceScaling(1.0, "fan_avg", "uniform")
{
    /// <inheritdoc/>
    public override string ClassName => "GlorotUniform";

    /// <inheritdoc/>
    public override Dictionary<string, object> Config() => new();
}
