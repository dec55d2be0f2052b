using System.Numerics;

namespace Engine;

// The fused optimiser updates, in place on the parameter and its state, one element at a time.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay)
        => Dispatch(param, "SgdUpdate", new SgdCall(param, grad, lr, weightDecay));

    /// <summary>p −= lr · (g + wd·p).</summary>
    private readonly record struct SgdCall(Tensor P, Tensor G, double Lr, double Wd) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] p = Data<T>(P), g = Data<T>(G);
            T lr = Of<T>(Lr), wd = Of<T>(Wd);
            for (int i = 0; i < p.Length; i++) p[i] -= lr * (g[i] + wd * p[i]);
        }
    }

    /// <inheritdoc/>
    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay)
        => Dispatch(param, "MomentumUpdate", new MomentumCall(param, grad, velocity, lr, momentum, nesterov, weightDecay));

    /// <summary>g' = g + wd·p; v = μ·v + g'; p −= lr · (nesterov ? g' + μ·v : v).</summary>
    private readonly record struct MomentumCall(Tensor P, Tensor G, Tensor V, double Lr, double Mu, bool Nesterov, double Wd) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] p = Data<T>(P), g = Data<T>(G), v = Data<T>(V);
            T lr = Of<T>(Lr), mu = Of<T>(Mu), wd = Of<T>(Wd);
            for (int i = 0; i < p.Length; i++)
            {
                T gi = g[i] + wd * p[i];
                v[i] = mu * v[i] + gi;
                p[i] -= lr * (Nesterov ? gi + mu * v[i] : v[i]);
            }
        }
    }

    /// <inheritdoc/>
    public void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps)
        => Dispatch(param, "AdaGradUpdate", new AdaGradCall(param, grad, h, lr, eps));

    /// <summary>h += g²; p −= lr · g / (√h + eps).</summary>
    private readonly record struct AdaGradCall(Tensor P, Tensor G, Tensor H, double Lr, double Eps) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] p = Data<T>(P), g = Data<T>(G), h = Data<T>(H);
            T lr = Of<T>(Lr), eps = Of<T>(Eps);
            for (int i = 0; i < p.Length; i++)
            {
                h[i] += g[i] * g[i];
                p[i] -= lr * g[i] / (T.Sqrt(h[i]) + eps);
            }
        }
    }

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps)
        => Dispatch(param, "RmsPropUpdate", new RmsPropCall(param, grad, h, lr, rho, eps));

    /// <summary>h = ρ·h + (1 − ρ)·g²; p −= lr · g / (√h + eps).</summary>
    private readonly record struct RmsPropCall(Tensor P, Tensor G, Tensor H, double Lr, double Rho, double Eps) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] p = Data<T>(P), g = Data<T>(G), h = Data<T>(H);
            T lr = Of<T>(Lr), rho = Of<T>(Rho), eps = Of<T>(Eps);
            for (int i = 0; i < p.Length; i++)
            {
                h[i] = rho * h[i] + (T.One - rho) * g[i] * g[i];
                p[i] -= lr * g[i] / (T.Sqrt(h[i]) + eps);
            }
        }
    }

    /// <inheritdoc/>
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step)
        => Dispatch(param, "AdamUpdate", new AdamCall(param, grad, m, v, lr, beta1, beta2, eps, step));

    /// <summary>m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; p −= lr · (m/(1 − β1^t)) / (√(v/(1 − β2^t)) + eps).</summary>
    private readonly record struct AdamCall(Tensor P, Tensor G, Tensor M, Tensor V, double Lr, double Beta1, double Beta2, double Eps, int Step) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] p = Data<T>(P), g = Data<T>(G), m = Data<T>(M), v = Data<T>(V);
            T b1 = Of<T>(Beta1), b2 = Of<T>(Beta2), c1 = Of<T>(1 - Math.Pow(Beta1, Step)), c2 = Of<T>(1 - Math.Pow(Beta2, Step)), rate = Of<T>(Lr), e = Of<T>(Eps);
            for (int i = 0; i < p.Length; i++)
            {
                m[i] = b1 * m[i] + (T.One - b1) * g[i];
                v[i] = b2 * v[i] + (T.One - b2) * g[i] * g[i];
                p[i] -= rate * (m[i] / c1) / (T.Sqrt(v[i] / c2) + e);
            }
        }
    }
}
