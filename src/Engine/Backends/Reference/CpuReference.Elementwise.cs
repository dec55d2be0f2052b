using System.Numerics;

namespace Engine;

// Fill, copy, cast, permute and the elementwise maps: y[i] = f(x[i]) or f(a[i], b[i]), one loop each.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void Fill(Tensor t, double value)
    {
        switch (Data(t))
        {
            case float[] f: for (int i = 0; i < f.Length; i++) f[i] = (float)value; break;
            case double[] d: for (int i = 0; i < d.Length; i++) d[i] = value; break;
            case int[] n: for (int i = 0; i < n.Length; i++) n[i] = (int)value; break;
            case long[] l: for (int i = 0; i < l.Length; i++) l[i] = (long)value; break;
        }
    }

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst)
    {
        // dst[i] = src[i] for every i (same dtype).
        Array.Copy(Data(src), Data(dst), src.Size);
    }

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst)
    {
        // dst[i] = (dst dtype) src[i], as C# casts: floats → integers truncate toward zero, saturate, NaN → 0.
        switch (Data(src))
        {
            case float[] a: CastFrom(a, Data(dst)); break;
            case double[] a: CastFrom(a, Data(dst)); break;
            case int[] a: CastFrom(a, Data(dst)); break;
            case long[] a: CastFrom(a, Data(dst)); break;
        }
    }

    private static void CastFrom<TFrom>(TFrom[] a, Array d) where TFrom : INumberBase<TFrom>
    {
        switch (d)
        {
            case float[] b: for (int i = 0; i < a.Length; i++) b[i] = float.CreateTruncating(a[i]); break;
            case double[] b: for (int i = 0; i < a.Length; i++) b[i] = double.CreateTruncating(a[i]); break;
            case int[] b: for (int i = 0; i < a.Length; i++) b[i] = int.CreateTruncating(a[i]); break;
            case long[] b: for (int i = 0; i < a.Length; i++) b[i] = long.CreateTruncating(a[i]); break;
        }
    }

    /// <inheritdoc/>
    public void Permute(Tensor x, int[] perm, Tensor y)
    {
        // y[j0, …, jr] = x[i] with i_perm[d] = j_d: walk y in order, decode its index, re-encode it in x.
        int[] xs = x.ShapeRef, ys = y.ShapeRef;
        int rank = perm.Length;
        var xStride = new long[rank];
        long st = 1;
        for (int d = rank - 1; d >= 0; d--) { xStride[d] = st; st *= xs[d]; }
        switch (Data(x))
        {
            case float[] f: PermuteT(f, Data<float>(y), ys, perm, xStride); break;
            case double[] d: PermuteT(d, Data<double>(y), ys, perm, xStride); break;
            case int[] n: PermuteT(n, Data<int>(y), ys, perm, xStride); break;
            case long[] l: PermuteT(l, Data<long>(y), ys, perm, xStride); break;
        }
    }

    private static void PermuteT<T>(T[] x, T[] y, int[] ys, int[] perm, long[] xStride)
    {
        for (long j = 0; j < y.LongLength; j++)
        {
            long rest = j, i = 0;
            for (int d = ys.Length - 1; d >= 0; d--)
            {
                i += rest % ys[d] * xStride[perm[d]];
                rest /= ys[d];
            }
            y[j] = x[i];
        }
    }

    /// <summary>f(x) for one element.</summary>
    private static T Apply<T>(UnaryOp op, T x) where T : IFloatingPointIeee754<T> => op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Exp => T.Exp(x),
        UnaryOp.Log => T.Log(x),
        UnaryOp.Sqrt => T.Sqrt(x),
        UnaryOp.Abs => T.Abs(x),
        UnaryOp.Square => x * x,
        UnaryOp.Relu => x <= T.Zero ? T.Zero : x,      // NaN stays NaN, −0 becomes 0
        UnaryOp.Sigmoid => T.One / (T.One + T.Exp(-x)),
        UnaryOp.Tanh => T.Tanh(x),
        UnaryOp.Sign => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        UnaryOp.RoundFloat16 => Of<T>((float)(Half)float.CreateTruncating(x)),
        UnaryOp.RoundBFloat16 => Of<T>(Amp.Precision.ToBFloat16(float.CreateTruncating(x))),
        _ => throw new NotSupportedException($"Unary: op {op} is not supported."),
    };

    /// <summary>f(a, b) for one pair; maximum/minimum propagate NaN like torch.maximum.</summary>
    private static T Apply<T>(BinaryOp op, T a, T b) where T : IFloatingPointIeee754<T> => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Pow => T.Pow(a, b),
        BinaryOp.Maximum => T.Max(a, b),
        BinaryOp.Minimum => T.Min(a, b),
        BinaryOp.Greater => a > b ? T.One : T.Zero,
        BinaryOp.Equal => a == b ? T.One : T.Zero,
        _ => throw new NotSupportedException($"Binary: op {op} is not supported."),
    };

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y) => Dispatch(x, "Unary", new UnaryCall(op, x, y));

    /// <summary>y[i] = f(x[i]).</summary>
    private readonly record struct UnaryCall(UnaryOp Op, Tensor X, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), y = Data<T>(Y);
            for (int i = 0; i < x.Length; i++) y[i] = Apply(Op, x[i]);
        }
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y) => Dispatch(a, "Binary", new BinaryCall(op, a, b, y));

    /// <summary>
    /// y[i] = f(a[…], b[…]) with NumPy broadcasting: for every index of y, the index of a (and b) is y's index
    /// with stretched axes (size 1, or missing on the left) set to 0.
    /// </summary>
    private readonly record struct BinaryCall(BinaryOp Op, Tensor A, Tensor B, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] av = Data<T>(A), bv = Data<T>(B), yv = Data<T>(Y);
            int[] ys = Y.ShapeRef;
            long[] sa = BroadcastStrides.Of(A.ShapeRef, ys), sb = BroadcastStrides.Of(B.ShapeRef, ys);
            for (long i = 0; i < yv.LongLength; i++)
            {
                long rest = i, ia = 0, ib = 0;
                for (int d = ys.Length - 1; d >= 0; d--)
                {
                    long idx = rest % ys[d];
                    rest /= ys[d];
                    ia += idx * sa[d];
                    ib += idx * sb[d];
                }
                yv[i] = Apply(Op, av[ia], bv[ib]);
            }
        }
    }

    /// <inheritdoc/>
    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false)
        => Dispatch(a, "BinaryScalar", new BinaryScalarCall(op, a, s, y, scalarFirst));

    /// <summary>y[i] = f(a[i], s), or f(s, a[i]) when the scalar comes first.</summary>
    private readonly record struct BinaryScalarCall(BinaryOp Op, Tensor A, double S, Tensor Y, bool ScalarFirst) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] a = Data<T>(A), y = Data<T>(Y);
            T s = Of<T>(S);
            for (int i = 0; i < a.Length; i++) y[i] = ScalarFirst ? Apply(Op, s, a[i]) : Apply(Op, a[i], s);
        }
    }

    /// <inheritdoc/>
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx) => Dispatch(x, "ReluBackward", new ActivationBackwardCall(UnaryOp.Relu, x, dy, dx));

    /// <inheritdoc/>
    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx) => Dispatch(y, "SigmoidBackward", new ActivationBackwardCall(UnaryOp.Sigmoid, y, dy, dx));

    /// <inheritdoc/>
    public void TanhBackward(Tensor y, Tensor dy, Tensor dx) => Dispatch(y, "TanhBackward", new ActivationBackwardCall(UnaryOp.Tanh, y, dy, dx));

    /// <summary>dx[i] = <see cref="ActivationGrad{T}"/>(saved[i], dy[i]); saved is relu's input x, or sigmoid's or tanh's output y.</summary>
    private readonly record struct ActivationBackwardCall(UnaryOp Activation, Tensor Saved, Tensor Dy, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] saved = Data<T>(Saved), dy = Data<T>(Dy), dx = Data<T>(Dx);
            for (int i = 0; i < dx.Length; i++) dx[i] = ActivationGrad(Activation, saved[i], dy[i]);
        }
    }

    /// <summary>One element of an activation's backward pass, from what its forward saved.</summary>
    private static T ActivationGrad<T>(UnaryOp activation, T saved, T dy) where T : IFloatingPointIeee754<T> => activation switch
    {
        UnaryOp.Relu => saved <= T.Zero ? T.Zero : dy,     // dy where x > 0 (or x is NaN), else 0: PyTorch's threshold_backward
        UnaryOp.Sigmoid => dy * saved * (T.One - saved),   // dy · y · (1 − y)
        UnaryOp.Tanh => dy * (T.One - saved * saved),      // dy · (1 − y²)
        _ => throw new NotSupportedException($"ActivationBackward: {activation} has no backward here."),
    };

    /// <inheritdoc/>
    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y) => Dispatch(x, "Dropout", new DropoutCall(x, mask, scale, y));

    /// <summary>y = x · mask · scale (inverted dropout; mask of 0/1 drawn on the CPU).</summary>
    private readonly record struct DropoutCall(Tensor X, Tensor Mask, double Scale, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), mask = Data<T>(Mask), y = Data<T>(Y);
            T scale = Of<T>(Scale);
            for (int i = 0; i < y.Length; i++) y[i] = x[i] * mask[i] * scale;
        }
    }
}
