namespace Engine.Optim;

/// <summary>
/// Nesterov accelerated gradient in PyTorch's form: v = μ·v + g, p −= lr·(g + μ·v).
/// </summary>
public sealed class Nesterov : Sgd
{
    /// <summary>DLfS style (use with Update).</summary>
    public Nesterov(double lr = 0.01, double momentum = 0.9) : base(null, lr, momentum, nesterov: true) { }

    /// <summary>PyTorch style (use with Step).</summary>
    public Nesterov(IEnumerable<Tensor>? parameters, double lr = 0.01, double momentum = 0.9) : base(parameters, lr, momentum, nesterov: true) { }
}
