namespace Engine.Amp;

/// <summary>
/// Dynamic loss scaling (torch.cuda.amp.GradScaler): multiply the loss by <see cref="Scale"/> before
/// backward so small float16 gradients do not underflow to zero; before the optimizer step divide the
/// gradients by the scale; if any is inf/NaN (the scale was too large) skip the step and halve the
/// scale, otherwise grow it ×2 after <see cref="GrowthInterval"/> clean steps.
/// </summary>
public sealed class GradScaler(double initScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000)
{
    private int _cleanSteps;

    /// <summary>The current loss scale.</summary>
    public double Scale { get; private set; } = initScale > 0 ? initScale : throw new ArgumentOutOfRangeException(nameof(initScale), $"GradScaler: initScale must be positive; got {initScale}.");

    /// <summary>Clean steps needed before the scale grows.</summary>
    public int GrowthInterval { get; } = growthInterval;

    /// <summary>Steps skipped because a gradient was inf or NaN.</summary>
    public int SkippedSteps { get; private set; }

    /// <summary>loss × Scale (differentiable), to call Backward() on.</summary>
    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>
    /// Divides every gradient of <paramref name="parameters"/> by the scale; runs <paramref name="optimizerStep"/>
    /// when they are all finite (returns true), else skips it; then updates the scale.
    /// </summary>
    public bool Step(IEnumerable<Tensor> parameters, Action optimizerStep)
    {
        bool finite = true;
        using (Tensor.NoGrad())
            foreach (var p in parameters)
            {
                if (p.Grad is null) continue;
                p.Grad.MulInPlace(1.0 / Scale);
                if (p.Grad.ToDoubleArray().Any(v => !double.IsFinite(v))) finite = false;
            }
        if (finite)
        {
            optimizerStep();
            if (++_cleanSteps >= GrowthInterval) { Scale *= growthFactor; _cleanSteps = 0; }
        }
        else
        {
            SkippedSteps++;
            Scale *= backoffFactor;
            _cleanSteps = 0;
        }
        return finite;
    }
}
