using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay)
    {
        if (IsF32(param, "SgdUpdate")) SgdT(param.Span<float>(), grad.Span<float>(), (float)lr, (float)weightDecay);
        else SgdT(param.Span<double>(), grad.Span<double>(), lr, weightDecay);
    }

    private static void SgdT<T>(Span<T> p, ReadOnlySpan<T> g, T lr, T wd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++) p[i] -= lr * (g[i] + wd * p[i]);
    }

    /// <inheritdoc/>
    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay)
    {
        if (IsF32(param, "MomentumUpdate")) MomentumT(param.Span<float>(), grad.Span<float>(), velocity.Span<float>(), (float)lr, (float)momentum, nesterov, (float)weightDecay);
        else MomentumT(param.Span<double>(), grad.Span<double>(), velocity.Span<double>(), lr, momentum, nesterov, weightDecay);
    }

    private static void MomentumT<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, T lr, T mu, bool nesterov, T wd) where T : unmanaged, IFloatingPointIeee754<T>
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
        if (IsF32(param, "AdaGradUpdate")) AdaGradT(param.Span<float>(), grad.Span<float>(), h.Span<float>(), (float)lr, (float)eps);
        else AdaGradT(param.Span<double>(), grad.Span<double>(), h.Span<double>(), lr, eps);
    }

    private static void AdaGradT<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> h, T lr, T eps) where T : unmanaged, IFloatingPointIeee754<T>
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
        if (IsF32(param, "RmsPropUpdate")) RmsPropT(param.Span<float>(), grad.Span<float>(), h.Span<float>(), (float)lr, (float)rho, (float)eps);
        else RmsPropT(param.Span<double>(), grad.Span<double>(), h.Span<double>(), lr, rho, eps);
    }

    private static void RmsPropT<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> h, T lr, T rho, T eps) where T : unmanaged, IFloatingPointIeee754<T>
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
        double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
        if (IsF32(param, "AdamUpdate")) AdamT(param.Span<float>(), grad.Span<float>(), m.Span<float>(), v.Span<float>(), (float)lr, (float)beta1, (float)beta2, (float)eps, (float)c1, (float)c2);
        else AdamT(param.Span<double>(), grad.Span<double>(), m.Span<double>(), v.Span<double>(), lr, beta1, beta2, eps, c1, c2);
    }

    private static void AdamT<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T lr, T b1, T b2, T eps, T c1, T c2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = b1 * m[i] + (T.One - b1) * g[i];
            v[i] = b2 * v[i] + (T.One - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] / c1) / (T.Sqrt(v[i] / c2) + eps);
        }
    }
}
