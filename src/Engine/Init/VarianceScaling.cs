namespace Engine.Layers;

/// <summary>
/// keras.initializers.VarianceScaling: n = fan_in, fan_out or their mean (mode); then
/// "truncated_normal" (also "normal"): N(0, σ²) redrawn outside ±2σ, σ = √(scale/n)/0.8796 (the
/// correction makes the truncated draw's std √(scale/n)); "untruncated_normal": σ = √(scale/n);
/// "uniform": U(−l, l), l = √(3·scale/n). Modes accept Keras ("fan_in") and TensorFlow.js ("fanIn") spellings.
/// </summary>
public class VarianceScaling : Initializer
{
    private const double TruncationCorrection = 0.87962566103423978;

    /// <summary>Keras's defaults: scale 1, fan_in, truncated normal.</summary>
    public VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal")
    {
        if (!(scale > 0) || double.IsInfinity(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), $"VarianceScaling: scale must be a positive number, got {scale}.");
        Scale = scale;
        Mode = mode.Replace("_", "").ToLowerInvariant() switch
        {
            "fanin" => "fan_in",
            "fanout" => "fan_out",
            "fanavg" => "fan_avg",
            _ => throw new ArgumentException($"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got '{mode}'."),
        };
        Distribution = distribution.Replace("_", "").ToLowerInvariant() switch
        {
            "normal" or "truncatednormal" => "truncated_normal",
            "untruncatednormal" => "untruncated_normal",
            "uniform" => "uniform",
            _ => throw new ArgumentException($"VarianceScaling: distribution must be truncated_normal, untruncated_normal or uniform, got '{distribution}'."),
        };
    }

    /// <summary>The variance scale.</summary>
    public double Scale { get; }

    /// <summary>"fan_in", "fan_out" or "fan_avg".</summary>
    public string Mode { get; }

    /// <summary>"truncated_normal", "untruncated_normal" or "uniform".</summary>
    public string Distribution { get; }

    /// <inheritdoc/>
    public override string ClassName => "VarianceScaling";

    /// <inheritdoc/>
    public override Dictionary<string, object> Config() => new() { ["scale"] = Scale, ["mode"] = Mode, ["distribution"] = Distribution };

    /// <inheritdoc/>
    public override double[] Sample(int[] shape, Generator generator)
    {
        var (fanIn, fanOut) = Fans(shape);
        double n = Mode switch { "fan_in" => fanIn, "fan_out" => fanOut, _ => (fanIn + fanOut) / 2 };
        double variance = Scale / Math.Max(1.0, n);
        var v = new double[Tensor.SizeOf(shape)];
        if (Distribution == "uniform")
        {
            double limit = Math.Sqrt(3 * variance);
            InitSampling.Uniform(v, -limit, limit, generator);
        }
        else if (Distribution == "untruncated_normal")
            InitSampling.Normal(v, 0, Math.Sqrt(variance), generator);
        else
            InitSampling.TruncatedNormal(v, Math.Sqrt(variance) / TruncationCorrection, generator);
        return v;
    }
}
