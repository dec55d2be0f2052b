namespace Engine.Layers;

/// <summary>
/// keras.callbacks.Callback: hooks Fit calls around training, each epoch and each batch. Logs hold
/// "loss", "acc" and, with validation data, "val_loss" and "val_acc". Set <see cref="Sequential.StopTraining"/>
/// to end training after the current epoch.
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained (set by Fit).</summary>
    public Sequential? Model { get; internal set; }

    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin() { }

    /// <summary>After the last epoch (also when training stops early or fails).</summary>
    public virtual void OnTrainEnd() { }

    /// <summary>Before epoch <paramref name="epoch"/> (0-based).</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After epoch <paramref name="epoch"/> with its logs.</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>After batch <paramref name="batch"/> of the current epoch with the running means so far.</summary>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { }
}
