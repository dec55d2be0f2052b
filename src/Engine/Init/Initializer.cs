namespace Engine.Layers;

/// <summary>
/// A weight initialiser (keras.initializers). Fans follow Keras's channels-last layouts: for a kernel
/// [..., in, out] (Dense [in, out], Conv2D [kh, kw, in, out]) the receptive field is the product of the
/// leading axes, fan_in = in·field and fan_out = out·field. Numbers are drawn on the CPU from the
/// given generator, so a seed gives the same weights on every device.
/// </summary>
public abstract class Initializer
{
    /// <summary>The Keras class name ("VarianceScaling", "Zeros", …), saved in model configs.</summary>
    public abstract string ClassName { get; }

    /// <summary>Values for a weight of <paramref name="shape"/>, row-major.</summary>
    public abstract double[] Sample(int[] shape, Generator generator);

    /// <summary>Settings saved in the model config (empty when there are none).</summary>
    public virtual Dictionary<string, object> Config() => new();

    /// <summary>(fan_in, fan_out) of a weight shape, Keras's rule.</summary>
    public static (double FanIn, double FanOut) Fans(int[] shape) => InitSampling.KerasFans(shape);

    /// <summary>
    /// An initialiser by name, Keras or TensorFlow.js spelling: "glorotUniform"/"glorot_uniform",
    /// "heNormal"/"he_normal", "varianceScaling"/"variance_scaling", "zeros".
    /// </summary>
    public static Initializer FromName(string name) => name.Replace("_", "").ToLowerInvariant() switch
    {
        "glorotuniform" => new GlorotUniform(),
        "henormal" => new HeNormal(),
        "variancescaling" => new VarianceScaling(),
        "zeros" => new Zeros(),
        _ => throw new ArgumentException($"Initializer: unknown name '{name}'; expected glorotUniform, heNormal, varianceScaling or zeros."),
    };

    /// <summary>Rebuilds an initialiser from its saved class name and config.</summary>
    internal static Initializer FromConfig(string className, IReadOnlyDictionary<string, System.Text.Json.JsonElement> config) => className switch
    {
        "Zeros" => new Zeros(),
        "Ones" => new Ones(),
        "GlorotUniform" => new GlorotUniform(),
        "HeNormal" => new HeNormal(),
        "VarianceScaling" => new VarianceScaling(
            config.TryGetValue("scale", out var s) ? s.GetDouble() : 1,
            config.TryGetValue("mode", out var m) ? m.GetString()! : "fan_in",
            config.TryGetValue("distribution", out var d) ? d.GetString()! : "truncated_normal"),
        _ => throw new InvalidDataException($"Initializer: unknown class '{className}' in the model config."),
    };
}
