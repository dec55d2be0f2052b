using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine;

public sealed partial class CpuBackend
{
    // Each update is one pass over the parameter: a SIMD loop over Vector<T> lanes, then the same
    // formula per element for the tail, in parallel chunks for large parameters.

    /// <inheritdoc/>
    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay)
    {
        if (IsF32(param, "SgdUpdate")) SgdT(Data<float>(param), Data<float>(grad), (float)lr, (float)weightDecay);
        else SgdT(Data<double>(param), Data<double>(grad), lr, weightDecay);
    }

    /// <summary>p −= lr · (g + wd · p).</summary>
    private static void SgdT<T>(T[] p, T[] g, T lr, T wd) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length < p.Length) throw new ArgumentException($"SgdUpdate: the gradient has {g.Length} elements, the parameter {p.Length}.");
        For(p.Length, (s, e) => SgdRange(p, g, lr, wd, s, e));
    }

    /// <summary>Elements [s, e) of <see cref="SgdT{T}"/> (unchecked loads: the caller checked the lengths).</summary>
    private static void SgdRange<T>(T[] p, T[] g, T lr, T wd, int s, int e) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T rp = ref MemoryMarshal.GetArrayDataReference(p);
        ref T rg = ref MemoryMarshal.GetArrayDataReference(g);
        nuint i = (nuint)s, end = (nuint)e, w = (nuint)Vector<T>.Count;
        var vlr = new Vector<T>(lr);
        var vwd = new Vector<T>(wd);
        for (; i + w <= end; i += w)
        {
            var pi = Vector.LoadUnsafe(ref rp, i);
            (pi - vlr * (Vector.LoadUnsafe(ref rg, i) + vwd * pi)).StoreUnsafe(ref rp, i);
        }
        for (; i < end; i++) Unsafe.Add(ref rp, i) -= lr * (Unsafe.Add(ref rg, i) + wd * Unsafe.Add(ref rp, i));
    }

    /// <inheritdoc/>
    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay)
    {
        if (IsF32(param, "MomentumUpdate")) MomentumT(Data<float>(param), Data<float>(grad), Data<float>(velocity), (float)lr, (float)momentum, nesterov, (float)weightDecay);
        else MomentumT(Data<double>(param), Data<double>(grad), Data<double>(velocity), lr, momentum, nesterov, weightDecay);
    }

    /// <summary>g' = g + wd·p; v = μ·v + g'; p −= lr · (nesterov ? g' + μ·v : v).</summary>
    private static void MomentumT<T>(T[] p, T[] g, T[] v, T lr, T mu, bool nesterov, T wd) where T : unmanaged, IFloatingPointIeee754<T> => For(p.Length, (s, e) =>
    {
        int i = s, w = Vector<T>.Count;
        Vector<T> vlr = new(lr), vmu = new(mu), vwd = new(wd);
        for (; i + w <= e; i += w)
        {
            var pi = new Vector<T>(p, i);
            var gi = new Vector<T>(g, i) + vwd * pi;
            var vi = vmu * new Vector<T>(v, i) + gi;
            vi.CopyTo(v, i);
            (pi - vlr * (nesterov ? gi + vmu * vi : vi)).CopyTo(p, i);
        }
        for (; i < e; i++)
        {
            T gi = g[i] + wd * p[i];
            v[i] = mu * v[i] + gi;
            p[i] -= lr * (nesterov ? gi + mu * v[i] : v[i]);
        }
    });

    /// <inheritdoc/>
    public void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps)
    {
        if (IsF32(param, "AdaGradUpdate")) AdaGradT(Data<float>(param), Data<float>(grad), Data<float>(h), (float)lr, (float)eps);
        else AdaGradT(Data<double>(param), Data<double>(grad), Data<double>(h), lr, eps);
    }

    /// <summary>h += g²; p −= lr · g / (√h + eps).</summary>
    private static void AdaGradT<T>(T[] p, T[] g, T[] h, T lr, T eps) where T : unmanaged, IFloatingPointIeee754<T> => For(p.Length, (s, e) =>
    {
        int i = s, w = Vector<T>.Count;
        Vector<T> vlr = new(lr), veps = new(eps);
        for (; i + w <= e; i += w)
        {
            var gi = new Vector<T>(g, i);
            var hi = new Vector<T>(h, i) + gi * gi;
            hi.CopyTo(h, i);
            (new Vector<T>(p, i) - vlr * gi / (Vector.SquareRoot(hi) + veps)).CopyTo(p, i);
        }
        for (; i < e; i++)
        {
            h[i] += g[i] * g[i];
            p[i] -= lr * g[i] / (T.Sqrt(h[i]) + eps);
        }
    });

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps)
    {
        if (IsF32(param, "RmsPropUpdate")) RmsPropT(Data<float>(param), Data<float>(grad), Data<float>(h), (float)lr, (float)rho, (float)eps);
        else RmsPropT(Data<double>(param), Data<double>(grad), Data<double>(h), lr, rho, eps);
    }

    /// <summary>h = ρ·h + (1−ρ)·g²; p −= lr · g / (√h + eps).</summary>
    private static void RmsPropT<T>(T[] p, T[] g, T[] h, T lr, T rho, T eps) where T : unmanaged, IFloatingPointIeee754<T> => For(p.Length, (s, e) =>
    {
        int i = s, w = Vector<T>.Count;
        Vector<T> vlr = new(lr), vrho = new(rho), v1rho = new(T.One - rho), veps = new(eps);
        for (; i + w <= e; i += w)
        {
            var gi = new Vector<T>(g, i);
            var hi = vrho * new Vector<T>(h, i) + v1rho * gi * gi;
            hi.CopyTo(h, i);
            (new Vector<T>(p, i) - vlr * gi / (Vector.SquareRoot(hi) + veps)).CopyTo(p, i);
        }
        for (; i < e; i++)
        {
            h[i] = rho * h[i] + (T.One - rho) * g[i] * g[i];
            p[i] -= lr * g[i] / (T.Sqrt(h[i]) + eps);
        }
    });

    /// <inheritdoc/>
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step)
    {
        double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
        if (IsF32(param, "AdamUpdate")) AdamT(Data<float>(param), Data<float>(grad), Data<float>(m), Data<float>(v), (float)lr, (float)beta1, (float)beta2, (float)eps, (float)c1, (float)c2);
        else AdamT(Data<double>(param), Data<double>(grad), Data<double>(m), Data<double>(v), lr, beta1, beta2, eps, c1, c2);
    }

    /// <summary>m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr · (m/c1) / (√(v/c2) + eps).</summary>
    private static void AdamT<T>(T[] p, T[] g, T[] m, T[] v, T lr, T b1, T b2, T eps, T c1, T c2) where T : unmanaged, IFloatingPointIeee754<T> => For(p.Length, (s, e) =>
    {
        int i = s, w = Vector<T>.Count;
        Vector<T> vlr = new(lr), vb1 = new(b1), v1b1 = new(T.One - b1), vb2 = new(b2), v1b2 = new(T.One - b2), veps = new(eps), vc1 = new(c1), vc2 = new(c2);
        for (; i + w <= e; i += w)
        {
            var gi = new Vector<T>(g, i);
            var mi = vb1 * new Vector<T>(m, i) + v1b1 * gi;
            var vi = vb2 * new Vector<T>(v, i) + v1b2 * gi * gi;
            mi.CopyTo(m, i);
            vi.CopyTo(v, i);
            (new Vector<T>(p, i) - vlr * (mi / vc1) / (Vector.SquareRoot(vi / vc2) + veps)).CopyTo(p, i);
        }
        for (; i < e; i++)
        {
            m[i] = b1 * m[i] + (T.One - b1) * g[i];
            v[i] = b2 * v[i] + (T.One - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] / c1) / (T.Sqrt(v[i] / c2) + eps);
        }
    });
}
