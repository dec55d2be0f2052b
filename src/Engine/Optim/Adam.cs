namespace Engine.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba). <see cref="Optimizer.Step"/> uses PyTorch's form: at step t,
/// m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², p −= lr·m̂/(√v̂ + eps) with m̂ = m/(1−β1^t),
/// v̂ = v/(1−β2^t) (one fused op; eps defaults to 1e-8). <see cref="Optimizer.Update"/> uses DLfS's
/// common/optimizer.py, the bias correction folded into the learning rate:
/// lr_t = lr·√(1−β2^t)/(1−β1^t), m += (1−β1)(g − m), v += (1−β2)(g² − v), p −= lr_t·m/(√v + eps)
/// (the DLfS-style constructor's eps defaults to DLfS's 1e-7).
/// </summary>
public sealed class Adam : Optimizer
{
    /// <summary>DLfS style (use with Update).</summary>
    public Adam(double lr = 0.001, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-7) : this(null, lr, beta1, beta2, eps) { }

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

    /// <summary>Added to √v̂ (Step) or √v (Update).</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    protected override void Apply(Tensor param, Tensor grad, OptimizerState state) =>
        param.Backend.AdamUpdate(param, grad, state.Slot("m", param), state.Slot("v", param), LearningRate, Beta1, Beta2, Eps, state.Step);

    /// <summary>DLfS's Adam.update, operation for operation (so float64 results equal NumPy's bit for bit).</summary>
    protected override void ApplyUpdate(Tensor param, Tensor grad, OptimizerState state)
    {
        var b = param.Backend;
        Tensor m = state.Slot("m", param), v = state.Slot("v", param);
        double lrT = LearningRate * Math.Sqrt(1.0 - Math.Pow(Beta2, state.Step)) / (1.0 - Math.Pow(Beta1, state.Step));
        using var t = Tensor.Empty(param.Shape, param.DType, param.Device);
        using var u = Tensor.Empty(param.Shape, param.DType, param.Device);
        b.Binary(BinaryOp.Sub, grad, m, t);                  // m += (1 − β1)·(g − m)
        b.BinaryScalar(BinaryOp.Mul, t, 1 - Beta1, t, scalarFirst: true);
        b.Binary(BinaryOp.Add, m, t, m);
        b.Binary(BinaryOp.Mul, grad, grad, t);               // v += (1 − β2)·(g² − v)
        b.Binary(BinaryOp.Sub, t, v, t);
        b.BinaryScalar(BinaryOp.Mul, t, 1 - Beta2, t, scalarFirst: true);
        b.Binary(BinaryOp.Add, v, t, v);
        b.BinaryScalar(BinaryOp.Mul, m, lrT, t, scalarFirst: true); // p −= lr_t·m / (√v + eps)
        b.Unary(UnaryOp.Sqrt, v, u);
        b.BinaryScalar(BinaryOp.Add, u, Eps, u);
        b.Binary(BinaryOp.Div, t, u, t);
        b.Binary(BinaryOp.Sub, param, t, param);
    }
}
