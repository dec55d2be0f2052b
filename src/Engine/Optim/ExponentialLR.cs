namespace Engine.Optim;

/// <summary>torch.optim.lr_scheduler.ExponentialLR: lr(epoch) = lr₀ · γ^epoch.</summary>
public sealed class ExponentialLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma > 0 && double.IsFinite(gamma) ? gamma : throw new ArgumentOutOfRangeException(nameof(gamma), $"ExponentialLR: gamma must be a finite number > 0, got {gamma}.");
    }

    /// <summary>Factor per epoch.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch);
}
