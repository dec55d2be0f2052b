namespace Engine.Optim;

/// <summary>
/// Base of the learning-rate schedules (torch.optim.lr_scheduler): remembers the optimiser's initial
/// learning rate and, on every <see cref="Step"/> (once per epoch, after <c>optimizer.Step()</c>), sets
/// <see cref="Optimizer.LearningRate"/> to <see cref="LearningRateAt"/> of the new epoch.
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Binds to <paramref name="optimizer"/>; epoch 0 uses its current learning rate.</summary>
    protected LRScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLearningRate = optimizer.LearningRate;
    }

    /// <summary>The optimiser whose learning rate is scheduled.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate at epoch 0.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Epochs stepped so far (last_epoch).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate the schedule gives at <paramref name="epoch"/>.</summary>
    public abstract double LearningRateAt(int epoch);

    /// <summary>Advances one epoch and updates the optimiser's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        Optimizer.LearningRate = LearningRateAt(LastEpoch);
    }

    /// <summary>The learning rate now in use (get_last_lr()).</summary>
    public double LastLearningRate => Optimizer.LearningRate;
}
