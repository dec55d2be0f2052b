namespace Engine.Optim;

/// <summary>
/// Stochastic gradient descent, PyTorch's <c>SGD</c>: with g' = g + weightDecay·p,
/// plain p −= lr·g'; with momentum μ, v = μ·v + g' and p −= lr·v (Nesterov: p −= lr·(g' + μ·v)).
/// DLfS's SGD is <c>new Sgd(lr)</c>.
/// </summary>
public class Sgd : Optimizer
{
    /// <summary>DLfS style (use with <see cref="Optimizer.Update"/>).</summary>
    public Sgd(double lr = 0.01, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : this(null, lr, momentum, nesterov, weightDecay) { }

    /// <summary>PyTorch style: <c>new Sgd(model.Parameters(), lr: 0.1)</c> (use with <see cref="Optimizer.Step"/>).</summary>
    public Sgd(IEnumerable<Tensor>? parameters, double lr = 0.01, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(lr, parameters)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{Name}: momentum must be in [0, 1), got {momentum}.");
        if (nesterov && momentum == 0)
            throw new ArgumentException($"{Name}: Nesterov momentum needs momentum > 0.");
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"{Name}: weightDecay must be ≥ 0, got {weightDecay}.");
        MomentumFactor = momentum;
        UseNesterov = nesterov;
        WeightDecay = weightDecay;
    }

    /// <summary>Momentum μ (0 = plain SGD).</summary>
    public double MomentumFactor { get; }

    /// <summary>Nesterov's look-ahead form of momentum.</summary>
    public bool UseNesterov { get; }

    /// <summary>L2 weight decay added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Apply(Tensor param, Tensor grad, OptimizerState state)
    {
        if (MomentumFactor == 0) param.Backend.SgdUpdate(param, grad, LearningRate, WeightDecay);
        else param.Backend.MomentumUpdate(param, grad, state.Slot("v", param), LearningRate, MomentumFactor, UseNesterov, WeightDecay);
    }
}
