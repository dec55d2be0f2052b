using System.Numerics;

namespace Engine;

// The fused optimiser updates, in place on the parameter and its state, one element at a time.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay)
    {
        if (IsF32(param, "SgdUpdate")) SgdT(Data<float>(param), Data<float>(grad), (float)lr, (float)weightDecay);
        else SgdT(Data<double>(param), Data<double>(grad), lr, weightDecay);
    }

    /// <summary>p −= lr · (g + wd·p).</summary>
    private static void SgdT<T>(T[] p, T[] g, T lr, T wd) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++) p[i] -= lr * (g[i] + wd * p[i]);
    }

    /// <inheritdoc/>
    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay)
    {
        if (IsF32(param, "MomentumUpdate")) MomentumT(Data<float>(param), Data<float>(grad), Data<float>(velocity), (float)lr, (float)momentum, nesterov, (float)weightDecay);
        else MomentumT(Data<double>(param), Data<double>(grad), Data<double>(velocity), lr, momentum, nesterov, weightDecay);
    }

    /// <summary>g' = g + wd·p; v = μ·v + g'; p −= lr · (nesterov ? g' + μ·v : v).</summary>
    private static void MomentumT<T>(T[] p, T[] g, T[] v, T lr, T mu, bool nesterov, T wd) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++)
        {
            T gi = g[i] + wd * p[i];
            v[i] = mu * v[i] + gi;
            p[i] -= lr * (nesterov ? gi + mu * v[i] : v[i]);
        }
    }

    /// <inheritdoc/>
    public void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps)
    {
        if (IsF32(param, "AdaGradUpdate")) AdaGradT(Data<float>(param), Data<float>(grad), Data<float>(h), (float)lr, (float)eps);
        else AdaGradT(Data<double>(param), Data<double>(grad), Data<double>(h), lr, eps);
    }

    /// <summary>h += g²; p −= lr · g / (√h + eps).</summary>
    private static void AdaGradT<T>(T[] p, T[] g, T[] h, T lr, T eps) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++)
        {
            h[i] += g[i] * g[i];
            p[i] -= lr * g[i] / (T.Sqrt(h[i]) + eps);
        }
    }

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps)
    {
        if (IsF32(param, "RmsPropUpdate")) RmsPropT(Data<float>(param), Data<float>(grad), Data<float>(h), (float)lr, (float)rho, (float)eps);
        else RmsPropT(Data<double>(param), Data<double>(grad), Data<double>(h), lr, rho, eps);
    }

    /// <summary>h = ρ·h + (1 − ρ)·g²; p −= lr · g / (√h + eps).</summary>
    private static void RmsPropT<T>(T[] p, T[] g, T[] h, T lr, T rho, T eps) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++)
        {
            h[i] = rho * h[i] + (T.One - rho) * g[i] * g[i];
            p[i] -= lr * g[i] / (T.Sqrt(h[i]) + eps);
        }
    }

    /// <inheritdoc/>
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step)
    {
        if (IsF32(param, "AdamUpdate")) AdamT(Data<float>(param), Data<float>(grad), Data<float>(m), Data<float>(v), lr, beta1, beta2, eps, step);
        else AdamT(Data<double>(param), Data<double>(grad), Data<double>(m), Data<double>(v), lr, beta1, beta2, eps, step);
    }

    /// <summary>m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; p −= lr · (m/(1 − β1^t)) / (√(v/(1 − β2^t)) + eps).</summary>
    private static void AdamT<T>(T[] p, T[] g, T[] m, T[] v, double lr, double beta1, double beta2, double eps, int step) where T : IFloatingPointIeee754<T>
    {
        T b1 = Of<T>(beta1), b2 = Of<T>(beta2), c1 = Of<T>(1 - Math.Pow(beta1, step)), c2 = Of<T>(1 - Math.Pow(beta2, step)), rate = Of<T>(lr), e = Of<T>(eps);
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = b1 * m[i] + (T.One - b1) * g[i];
            v[i] = b2 * v[i] + (T.One - b2) * g[i] * g[i];
            p[i] -= rate * (m[i] / c1) / (T.Sqrt(v[i] / c2) + e);
        }
    }
}
