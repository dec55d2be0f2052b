namespace Engine.Layers;

/// <summary>
/// The activation functions a Keras layer can name: "relu", "sigmoid", "tanh", "softmax" (over the
/// last axis) and "linear" (identity, also null). Names are case-insensitive.
/// </summary>
public static class Activations
{
    /// <summary>The accepted names.</summary>
    public static readonly IReadOnlyList<string> Names = ["linear", "relu", "sigmoid", "tanh", "softmax"];

    /// <summary>The canonical name of <paramref name="name"/> ("linear" for null), or a clear error.</summary>
    public static string Check(string? name, string layer)
    {
        string n = (name ?? "linear").ToLowerInvariant();
        return Names.Contains(n) ? n
            : throw new ArgumentException($"{layer}: unknown activation '{name}'; expected one of {string.Join(", ", Names)}.");
    }

    /// <summary>Applies the activation <paramref name="name"/> (already checked) to x.</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "relu" => x.Relu(),
        "sigmoid" => x.Sigmoid(),
        "tanh" => x.Tanh(),
        "softmax" => x.Softmax(),
        _ => x,
    };
}
