namespace Engine.Layers;

/// <summary>
/// keras.callbacks.EarlyStopping: stops Fit when <see cref="Monitor"/> has not improved by more than
/// <see cref="MinDelta"/> for <see cref="Patience"/> epochs. Mode "auto" maximises names containing "acc"
/// and minimises the rest. With <see cref="RestoreBestWeights"/> the weights of the best epoch are put back.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly bool _maximise;
    private double _best;
    private int _wait;
    private Dictionary<LayerWeight, double[]>? _bestWeights;

    /// <summary>Keras's defaults: monitor "val_loss", minDelta 0, patience 0, mode "auto".</summary>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", bool restoreBestWeights = false)
    {
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), $"EarlyStopping: patience must be ≥ 0, got {patience}.");
        _maximise = mode switch
        {
            "min" => false,
            "max" => true,
            "auto" => monitor.Contains("acc", StringComparison.Ordinal),
            _ => throw new ArgumentException($"EarlyStopping: mode must be auto, min or max, got '{mode}'."),
        };
        RestoreBestWeights = restoreBestWeights;
    }

    /// <summary>The logged value watched ("val_loss", "loss", "val_acc", …).</summary>
    public string Monitor { get; }

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }

    /// <summary>Whether the best epoch's weights are restored when training stops.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>The epoch (0-based) after which training stopped, or −1.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _wait = 0;
        _best = _maximise ? double.NegativeInfinity : double.PositiveInfinity;
        StoppedEpoch = -1;
        _bestWeights = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out double current))
            throw new InvalidOperationException($"EarlyStopping: the logs have no '{Monitor}' (available: {string.Join(", ", logs.Keys)}); pass validation data to monitor val_ values.");
        bool better = _maximise ? current - MinDelta > _best : current + MinDelta < _best;
        if (better)
        {
            _best = current;
            _wait = 0;
            if (RestoreBestWeights && Model is not null) _bestWeights = Model.Weights.ToDictionary(w => w, w => w.Value.ToDoubleArray());
            return;
        }
        if (++_wait < Patience) return;
        StoppedEpoch = epoch;
        if (Model is null) return;
        Model.StopTraining = true;
        if (_bestWeights is not null)
            foreach (var (w, values) in _bestWeights)
                using (var t = Tensor.FromDoubles(values, w.Value.Shape, w.Value.DType, Device.Cpu))
                    Sequential.CopyInto(w, t, "EarlyStopping");
    }
}
