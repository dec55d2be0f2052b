using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine;

// The fused optimiser updates. Each rule is its formula written once, on Vector<T> lanes: one pass over
// the parameter runs it on whole vectors loaded from the arrays, and on the last partial vector through
// zero-padded copies (every lane is the same IEEE operations, so the tail gets exactly what a scalar loop
// would give); large parameters are split into parallel chunks.
public sealed partial class CpuBackend
{
    /// <summary>One optimiser step on a vector of elements: parameter p, gradient g and up to two state slots s1, s2.</summary>
    private interface IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        void Step(ref Vector<T> p, Vector<T> g, ref Vector<T> s1, ref Vector<T> s2);
    }

    /// <inheritdoc/>
    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay)
        => Dispatch(param, "SgdUpdate", new SgdCall(param, grad, lr, weightDecay));

    private readonly record struct SgdCall(Tensor P, Tensor G, double Lr, double Wd) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => Update(new SgdRule<T>(T.CreateTruncating(Lr), T.CreateTruncating(Wd)), Data<T>(P), Data<T>(G), null, null, "SgdUpdate");
    }

    /// <inheritdoc/>
    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay)
        => Dispatch(param, "MomentumUpdate", new MomentumCall(param, grad, velocity, lr, momentum, nesterov, weightDecay));

    private readonly record struct MomentumCall(Tensor P, Tensor G, Tensor V, double Lr, double Mu, bool Nesterov, double Wd) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => Update(new MomentumRule<T>(T.CreateTruncating(Lr), T.CreateTruncating(Mu), T.CreateTruncating(Wd), Nesterov), Data<T>(P), Data<T>(G), Data<T>(V), null, "MomentumUpdate");
    }

    /// <inheritdoc/>
    public void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps)
        => Dispatch(param, "AdaGradUpdate", new AdaGradCall(param, grad, h, lr, eps));

    private readonly record struct AdaGradCall(Tensor P, Tensor G, Tensor H, double Lr, double Eps) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => Update(new AdaGradRule<T>(T.CreateTruncating(Lr), T.CreateTruncating(Eps)), Data<T>(P), Data<T>(G), Data<T>(H), null, "AdaGradUpdate");
    }

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps)
        => Dispatch(param, "RmsPropUpdate", new RmsPropCall(param, grad, h, lr, rho, eps));

    private readonly record struct RmsPropCall(Tensor P, Tensor G, Tensor H, double Lr, double Rho, double Eps) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => Update(new RmsPropRule<T>(T.CreateTruncating(Lr), T.CreateTruncating(Rho), T.CreateTruncating(Eps)), Data<T>(P), Data<T>(G), Data<T>(H), null, "RmsPropUpdate");
    }

    /// <inheritdoc/>
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step)
        => Dispatch(param, "AdamUpdate", new AdamCall(param, grad, m, v, lr, beta1, beta2, eps, 1 - Math.Pow(beta1, step), 1 - Math.Pow(beta2, step)));

    private readonly record struct AdamCall(Tensor P, Tensor G, Tensor M, Tensor V, double Lr, double B1, double B2, double Eps, double C1, double C2) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => Update(new AdamRule<T>(T.CreateTruncating(Lr), T.CreateTruncating(B1), T.CreateTruncating(B2), T.CreateTruncating(Eps), T.CreateTruncating(C1), T.CreateTruncating(C2)),
                Data<T>(P), Data<T>(G), Data<T>(M), Data<T>(V), "AdamUpdate");
    }

    /// <summary>Runs <paramref name="rule"/> over every element of p (with g, s1, s2 at the same index), in parallel chunks when large.</summary>
    private static void Update<T, R>(R rule, T[] p, T[] g, T[]? s1, T[]? s2, string op) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IUpdateRule<T>
    {
        if (g.Length < p.Length) throw new ArgumentException($"{op}: the gradient has {g.Length} elements, the parameter {p.Length}.");
        if (s1 is not null && s1.Length < p.Length || s2 is not null && s2.Length < p.Length)
            throw new ArgumentException($"{op}: a state tensor has fewer elements than the parameter ({p.Length}).");
        For(p.Length, (s, e) => UpdateRange(rule, p, g, s1, s2, s, e));
    }

    /// <summary>Elements [s, e) of <see cref="Update{T, R}"/>: whole vectors in place, then the tail through padded copies.</summary>
    private static void UpdateRange<T, R>(R rule, T[] p, T[] g, T[]? s1, T[]? s2, int s, int e) where T : unmanaged, IFloatingPointIeee754<T> where R : struct, IUpdateRule<T>
    {
        // Missing state slots read and write a scratch vector (the caller checked the lengths, so loads are unchecked).
        ref T rp = ref MemoryMarshal.GetArrayDataReference(p);
        ref T rg = ref MemoryMarshal.GetArrayDataReference(g);
        Vector<T> scratch1 = default, scratch2 = default;
        nuint i = (nuint)s, end = (nuint)e, w = (nuint)Vector<T>.Count;
        for (; i + w <= end; i += w)
        {
            var pv = Vector.LoadUnsafe(ref rp, i);
            ref Vector<T> a = ref s1 is null ? ref scratch1 : ref Unsafe.As<T, Vector<T>>(ref s1[(int)i]);
            ref Vector<T> b = ref s2 is null ? ref scratch2 : ref Unsafe.As<T, Vector<T>>(ref s2[(int)i]);
            rule.Step(ref pv, Vector.LoadUnsafe(ref rg, i), ref a, ref b);
            pv.StoreUnsafe(ref rp, i);
        }
        int tail = (int)(end - i);
        if (tail == 0) return;
        Span<T> buffer = stackalloc T[4 * Vector<T>.Count];
        buffer.Clear();
        int w0 = Vector<T>.Count, at = (int)i;
        Span<T> bp = buffer[..w0], bg = buffer.Slice(w0, w0), b1 = buffer.Slice(2 * w0, w0), b2 = buffer.Slice(3 * w0, w0);
        p.AsSpan(at, tail).CopyTo(bp);
        g.AsSpan(at, tail).CopyTo(bg);
        s1?.AsSpan(at, tail).CopyTo(b1);
        s2?.AsSpan(at, tail).CopyTo(b2);
        var (vp, v1, v2) = (new Vector<T>(bp), new Vector<T>(b1), new Vector<T>(b2));
        rule.Step(ref vp, new Vector<T>(bg), ref v1, ref v2);
        vp.CopyTo(bp);
        v1.CopyTo(b1);
        v2.CopyTo(b2);
        bp[..tail].CopyTo(p.AsSpan(at));
        if (s1 is not null) b1[..tail].CopyTo(s1.AsSpan(at));
        if (s2 is not null) b2[..tail].CopyTo(s2.AsSpan(at));
    }

    /// <summary>SGD: p −= lr · (g + wd · p).</summary>
    private readonly struct SgdRule<T>(T lr, T wd) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> lr = new(lr), wd = new(wd);

        public void Step(ref Vector<T> p, Vector<T> g, ref Vector<T> unused1, ref Vector<T> unused2) => p -= lr * (g + wd * p);
    }

    /// <summary>Momentum (v = s1): g' = g + wd·p; v = μ·v + g'; p −= lr · (nesterov ? g' + μ·v : v).</summary>
    private readonly struct MomentumRule<T>(T lr, T mu, T wd, bool nesterov) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> lr = new(lr), mu = new(mu), wd = new(wd);

        public void Step(ref Vector<T> p, Vector<T> g, ref Vector<T> v, ref Vector<T> unused)
        {
            var gi = g + wd * p;
            v = mu * v + gi;
            p -= lr * (nesterov ? gi + mu * v : v);
        }
    }

    /// <summary>AdaGrad (h = s1): h += g²; p −= lr · g / (√h + eps).</summary>
    private readonly struct AdaGradRule<T>(T lr, T eps) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> lr = new(lr), eps = new(eps);

        public void Step(ref Vector<T> p, Vector<T> g, ref Vector<T> h, ref Vector<T> unused)
        {
            h += g * g;
            p -= lr * g / (Vector.SquareRoot(h) + eps);
        }
    }

    /// <summary>RMSprop (h = s1): h = ρ·h + (1−ρ)·g²; p −= lr · g / (√h + eps).</summary>
    private readonly struct RmsPropRule<T>(T lr, T rho, T eps) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> lr = new(lr), rho = new(rho), oneMinusRho = new(T.One - rho), eps = new(eps);

        public void Step(ref Vector<T> p, Vector<T> g, ref Vector<T> h, ref Vector<T> unused)
        {
            h = rho * h + oneMinusRho * g * g;
            p -= lr * g / (Vector.SquareRoot(h) + eps);
        }
    }

    /// <summary>Adam (m = s1, v = s2): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr · (m/c1) / (√(v/c2) + eps), c = 1 − β^step.</summary>
    private readonly struct AdamRule<T>(T lr, T b1, T b2, T eps, T c1, T c2) : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> lr = new(lr), b1 = new(b1), oneMinusB1 = new(T.One - b1), b2 = new(b2), oneMinusB2 = new(T.One - b2),
            eps = new(eps), c1 = new(c1), c2 = new(c2);

        public void Step(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v)
        {
            m = b1 * m + oneMinusB1 * g;
            v = b2 * v + oneMinusB2 * g * g;
            p -= lr * (m / c1) / (Vector.SquareRoot(v / c2) + eps);
        }
    }
}
