namespace Engine.Layers;

/// <summary>
/// keras.callbacks.LearningRateScheduler: before each epoch sets the optimiser's learning rate to
/// schedule(epoch, current rate) (epoch 0-based).
/// </summary>
public sealed class LearningRateScheduler(Func<int, double, double> schedule) : Callback
{
    private readonly Func<int, double, double> _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <summary>The rate set for each epoch so far.</summary>
    public List<double> Rates { get; } = new();

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        var opt = Model?.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler: the model is not compiled.");
        double lr = _schedule(epoch, opt.LearningRate);
        if (!double.IsFinite(lr) || lr < 0)
            throw new ArgumentException($"LearningRateScheduler: the schedule returned {lr} for epoch {epoch}; expected a finite rate ≥ 0.");
        opt.LearningRate = lr;
        Rates.Add(lr);
    }
}
