namespace Engine.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba; PyTorch's form): at step t, m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
/// p −= lr·m̂/(√v̂ + eps) with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t). eps defaults to PyTorch's 1e-8
/// (DLfS uses 1e-7, slightly differently placed; the difference is below the printed digits).
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>DLfS style (use with Update).</summary>
    public Adam(double lr = 0.001, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) : this(null, lr, beta1, beta2, eps) { }

    /// <summary>PyTorch style: <c>new Adam(model.Parameters(), lr: 1e-4)</c> (use with Step).</summary>
    public Adam(IEnumerable<Tensor>? parameters, double lr = 0.001, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) : base(lr, parameters)
    {
        Beta1 = beta1 >= 0 && beta1 < 1 ? beta1 : throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam: beta1 must be in [0, 1), got {beta1}.");
        Beta2 = beta2 >= 0 && beta2 < 1 ? beta2 : throw new ArgumentOutOfRangeException(nameof(beta2), $"Adam: beta2 must be in [0, 1), got {beta2}.");
        Eps = eps > 0 ? eps : throw new ArgumentOutOfRangeException(nameof(eps), $"Adam: eps must be > 0, got {eps}.");
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to √v̂.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    protected override void Apply(Tensor param, Tensor grad, OptimizerState state) =>
        param.Backend.AdamUpdate(param, grad, state.Slot("m", param), state.Slot("v", param), LearningRate, Beta1, Beta2, Eps, state.Step);
}
