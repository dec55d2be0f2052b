using System.Globalization;
using System.Text.RegularExpressions;

namespace Engine.Layers;

/// <summary>
/// keras.callbacks.ModelCheckpoint: saves the model (<see cref="Sequential.Save"/>, atomic: a crash never
/// leaves a half-written file) after each epoch, or only when <see cref="Monitor"/> improved with
/// <see cref="SaveBestOnly"/>. The path may hold Keras placeholders: "{epoch:02d}" (1-based) and any
/// logged value, e.g. "{val_loss:.2f}".
/// </summary>
public sealed partial class ModelCheckpoint : Callback
{
    private readonly bool _maximise;
    private double _best;

    /// <summary>Keras's defaults: monitor "val_loss", save every epoch, mode "auto".</summary>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, string mode = "auto")
    {
        Filepath = string.IsNullOrWhiteSpace(filepath) ? throw new ArgumentException("ModelCheckpoint: filepath is empty.") : filepath;
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        _maximise = mode switch
        {
            "min" => false,
            "max" => true,
            "auto" => monitor.Contains("acc", StringComparison.Ordinal),
            _ => throw new ArgumentException($"ModelCheckpoint: mode must be auto, min or max, got '{mode}'."),
        };
    }

    /// <summary>Where to save (with placeholders).</summary>
    public string Filepath { get; }

    /// <summary>The logged value compared with SaveBestOnly.</summary>
    public string Monitor { get; }

    /// <summary>Save only when the monitored value improved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Paths written so far, in order.</summary>
    public List<string> Saved { get; } = new();

    /// <inheritdoc/>
    public override void OnTrainBegin() => _best = _maximise ? double.NegativeInfinity : double.PositiveInfinity;

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (Model is null) return;
        if (SaveBestOnly)
        {
            if (!logs.TryGetValue(Monitor, out double current))
                throw new InvalidOperationException($"ModelCheckpoint: the logs have no '{Monitor}' (available: {string.Join(", ", logs.Keys)}).");
            if (!(_maximise ? current > _best : current < _best)) return;
            _best = current;
        }
        string path = Format(Filepath, epoch + 1, logs);
        Model.Save(path);
        Saved.Add(path);
    }

    /// <summary>Replaces "{name}" and "{name:spec}" (Python specs 02d and .Nf) with the epoch or logged values.</summary>
    internal static string Format(string pattern, int epoch, IReadOnlyDictionary<string, double> logs) =>
        Placeholder().Replace(pattern, m =>
        {
            string key = m.Groups[1].Value, spec = m.Groups[2].Value;
            double value = key == "epoch" ? epoch
                : logs.TryGetValue(key, out var v) ? v
                : throw new ArgumentException($"ModelCheckpoint: the path uses {{{key}}} but the logs have only epoch, {string.Join(", ", logs.Keys)}.");
            var d = Regex.Match(spec, @"^0?(\d*)d$");
            if (d.Success) return ((long)value).ToString(CultureInfo.InvariantCulture).PadLeft(d.Groups[1].Value.Length > 0 ? int.Parse(d.Groups[1].Value, CultureInfo.InvariantCulture) : 0, '0');
            var f = Regex.Match(spec, @"^\.(\d+)f$");
            if (f.Success) return value.ToString("F" + f.Groups[1].Value, CultureInfo.InvariantCulture);
            return key == "epoch" ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
        });

    [GeneratedRegex(@"\{([A-Za-z_]+)(?::([^}]*))?\}")]
    private static partial Regex Placeholder();
}
