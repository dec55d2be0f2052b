namespace Engine;

/// <summary>
/// DLfS's <c>weight_init_std</c> argument: "relu"/"he" (√(2/fanIn)), "sigmoid"/"xavier" (√(1/fanIn)),
/// or a number used as the std itself. Converts implicitly from a string or a double.
/// </summary>
public readonly record struct WeightInitStd
{
    private readonly string? _name;
    private readonly double _value;

    private WeightInitStd(string? name, double value)
    {
        _name = name;
        _value = value;
    }

    /// <summary>He initialisation (the default of MultiLayerNet).</summary>
    public static WeightInitStd He => new("he", 0);

    /// <summary>Xavier initialisation.</summary>
    public static WeightInitStd Xavier => new("xavier", 0);

    /// <summary>A fixed std.</summary>
    public static WeightInitStd Fixed(double std) =>
        std >= 0 && !double.IsInfinity(std) ? new(null, std) : throw new ArgumentOutOfRangeException(nameof(std), $"WeightInitStd: a fixed std must be a finite number ≥ 0, got {std}.");

    /// <summary>By name: "relu" or "he", "sigmoid" or "xavier" (case-insensitive).</summary>
    public static WeightInitStd Named(string name) => name.ToLowerInvariant() switch
    {
        "relu" or "he" => He,
        "sigmoid" or "xavier" => Xavier,
        _ => throw new ArgumentException($"WeightInitStd: unknown initialisation \"{name}\"; expected \"relu\"/\"he\", \"sigmoid\"/\"xavier\" or a number."),
    };

    /// <summary>"he" → He, 0.01 → Fixed(0.01).</summary>
    public static implicit operator WeightInitStd(string name) => Named(name);

    /// <summary>A number is the std itself.</summary>
    public static implicit operator WeightInitStd(double std) => Fixed(std);

    /// <summary>The std for a layer with <paramref name="fanIn"/> inputs.</summary>
    public double StdFor(int fanIn) => _name switch
    {
        "he" => WeightInit.HeStd(fanIn),
        "xavier" => WeightInit.XavierStd(fanIn),
        _ => _value,
    };

    /// <summary>"he", "xavier" or the number.</summary>
    public override string ToString() => _name ?? _value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
