namespace Engine.Optim;

/// <summary>
/// Momentum SGD (DLfS 6.1.4): v = μ·v + g, p −= lr·v — the same steps as DLfS's v = μ·v − lr·g,
/// p += v while the learning rate is constant.
/// </summary>
public sealed class Momentum : Sgd
{
    /// <summary>DLfS style (use with Update).</summary>
    public Momentum(double lr = 0.01, double momentum = 0.9) : base(null, lr, momentum) { }

    /// <summary>PyTorch style (use with Step).</summary>
    public Momentum(IEnumerable<Tensor>? parameters, double lr = 0.01, double momentum = 0.9) : base(parameters, lr, momentum) { }
}
