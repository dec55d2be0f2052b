namespace Engine.Optim;

/// <summary>
/// torch.optim.lr_scheduler.StepLR: multiplies the learning rate by <see cref="Gamma"/> every
/// <see cref="StepSize"/> epochs: lr(epoch) = lr₀ · γ^⌊epoch / stepSize⌋.
/// </summary>
public sealed class StepLR : LRScheduler
{
    /// <summary>Creates the schedule.</summary>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        StepSize = stepSize > 0 ? stepSize : throw new ArgumentOutOfRangeException(nameof(stepSize), $"StepLR: stepSize must be ≥ 1, got {stepSize}.");
        Gamma = gamma > 0 && double.IsFinite(gamma) ? gamma : throw new ArgumentOutOfRangeException(nameof(gamma), $"StepLR: gamma must be a finite number > 0, got {gamma}.");
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Factor per decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch) => BaseLearningRate * Math.Pow(Gamma, epoch / StepSize);
}
