namespace Engine.Optim;

/// <summary>RMSprop (DLfS's RMSprop): h = ρ·h + (1−ρ)·g², p −= lr·g/(√h + eps).</summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>DLfS style (use with Update).</summary>
    public RmsProp(double lr = 0.01, double decayRate = 0.99, double eps = 1e-7) : this(null, lr, decayRate, eps) { }

    /// <summary>PyTorch style (use with Step).</summary>
    public RmsProp(IEnumerable<Tensor>? parameters, double lr = 0.01, double decayRate = 0.99, double eps = 1e-7) : base(lr, parameters)
    {
        DecayRate = decayRate >= 0 && decayRate < 1 ? decayRate
            : throw new ArgumentOutOfRangeException(nameof(decayRate), $"RmsProp: decayRate must be in [0, 1), got {decayRate}.");
        Eps = eps > 0 ? eps : throw new ArgumentOutOfRangeException(nameof(eps), $"RmsProp: eps must be > 0, got {eps}.");
    }

    /// <summary>ρ, the decay of the running mean of g².</summary>
    public double DecayRate { get; }

    /// <summary>Added to √h.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    protected override void Apply(Tensor param, Tensor grad, OptimizerState state) =>
        param.Backend.RmsPropUpdate(param, grad, state.Slot("h", param), LearningRate, DecayRate, Eps);
}
