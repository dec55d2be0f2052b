namespace Engine.Optim;

/// <summary>AdaGrad (DLfS 6.1.5): h += g², p −= lr·g/(√h + eps).</summary>
public sealed class AdaGrad : Optimizer
{
    /// <summary>DLfS style (use with Update).</summary>
    public AdaGrad(double lr = 0.01, double eps = 1e-7) : this(null, lr, eps) { }

    /// <summary>PyTorch style (use with Step).</summary>
    public AdaGrad(IEnumerable<Tensor>? parameters, double lr = 0.01, double eps = 1e-7) : base(lr, parameters)
    {
        Eps = eps > 0 ? eps : throw new ArgumentOutOfRangeException(nameof(eps), $"AdaGrad: eps must be > 0, got {eps}.");
    }

    /// <summary>Added to √h so early steps stay finite.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    protected override void Apply(Tensor param, Tensor grad, OptimizerState state) =>
        param.Backend.AdaGradUpdate(param, grad, state.Slot("h", param), LearningRate, Eps);
}
