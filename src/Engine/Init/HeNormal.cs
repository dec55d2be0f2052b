namespace Engine.Layers;

/// <summary>keras.initializers.HeNormal: truncated normal with std √(2/fan_in).</summary>
public sealed class HeNormal() : VarianceScaling(2.0, "fan_in", "truncated_normal")
{
    /// <inheritdoc/>
    public override string ClassName => "HeNormal";

    /// <inheritdoc/>
    public override Dictionary<string, object> Config() => new();
}
