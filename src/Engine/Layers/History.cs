namespace Engine.Layers;

/// <summary>keras.callbacks.History, returned by Fit: the epochs run and each logged value per epoch.</summary>
public sealed class History : Callback
{
    private readonly Dictionary<string, List<double>> _values = new();

    /// <summary>The epochs run (0-based).</summary>
    public List<int> Epoch { get; } = new();

    /// <summary>Each metric ("loss", "acc", "val_loss", "val_acc") → one value per epoch.</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>The values of <paramref name="key"/>, or an error naming the keys logged.</summary>
    public IReadOnlyList<double> this[string key] => _values.TryGetValue(key, out var v) ? v
        : throw new KeyNotFoundException($"History: no values for '{key}'; logged: {string.Join(", ", _values.Keys)}.");

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        Epoch.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!_values.TryGetValue(k, out var list)) _values[k] = list = new List<double>();
            list.Add(v);
        }
    }
}
