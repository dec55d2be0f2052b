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
    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        if (IsF32(x, "Unary")) UnaryT(op, Data<float>(x), Data<float>(y)); else UnaryT(op, Data<double>(x), Data<double>(y));
    }

    private static void UnaryT<T>(UnaryOp op, T[] x, T[] y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = Apply(op, x[i]);
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (IsF32(a, "Binary")) BinaryT(op, a, Data<float>(a), b, Data<float>(b), y, Data<float>(y));
        else BinaryT(op, a, Data<double>(a), b, Data<double>(b), y, Data<double>(y));
    }

    /// <summary>
    /// NumPy broadcasting: for every index of y, the index of a (and b) is y's index with stretched axes
    /// (size 1, or missing on the left) set to 0.
    /// </summary>
    private static void BinaryT<T>(BinaryOp op, Tensor a, T[] av, Tensor b, T[] bv, Tensor y, T[] yv) where T : IFloatingPointIeee754<T>
    {
        int[] ys = y.ShapeRef;
        long[] sa = BroadcastStrides.Of(a.ShapeRef, ys), sb = BroadcastStrides.Of(b.ShapeRef, ys);
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
            yv[i] = Apply(op, av[ia], bv[ib]);
        }
    }

    /// <inheritdoc/>
    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false)
    {
        if (IsF32(a, "BinaryScalar")) ScalarT(op, Data<float>(a), (float)s, Data<float>(y), scalarFirst);
        else ScalarT(op, Data<double>(a), s, Data<double>(y), scalarFirst);
    }

    private static void ScalarT<T>(BinaryOp op, T[] a, T s, T[] y, bool scalarFirst) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < a.Length; i++) y[i] = scalarFirst ? Apply(op, s, a[i]) : Apply(op, a[i], s);
    }

    /// <inheritdoc/>
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        // dx = dy where x > 0 (or x is NaN) else 0: PyTorch's threshold_backward.
        if (IsF32(x, "ReluBackward")) Map2(Data<float>(x), Data<float>(dy), Data<float>(dx), static (v, g) => v <= 0 ? 0 : g);
        else Map2(Data<double>(x), Data<double>(dy), Data<double>(dx), static (v, g) => v <= 0 ? 0 : g);
    }

    /// <inheritdoc/>
    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (IsF32(y, "SigmoidBackward")) Map2(Data<float>(y), Data<float>(dy), Data<float>(dx), SigmoidGrad);
        else Map2(Data<double>(y), Data<double>(dy), Data<double>(dx), SigmoidGrad);
    }

    /// <inheritdoc/>
    public void TanhBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (IsF32(y, "TanhBackward")) Map2(Data<float>(y), Data<float>(dy), Data<float>(dx), TanhGrad);
        else Map2(Data<double>(y), Data<double>(dy), Data<double>(dx), TanhGrad);
    }

    /// <summary>dx = dy · y · (1 − y) from the sigmoid's output y.</summary>
    private static T SigmoidGrad<T>(T y, T dy) where T : IFloatingPointIeee754<T> => dy * y * (T.One - y);

    /// <summary>dx = dy · (1 − y²) from tanh's output y.</summary>
    private static T TanhGrad<T>(T y, T dy) where T : IFloatingPointIeee754<T> => dy * (T.One - y * y);

    /// <inheritdoc/>
    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y)
    {
        // y = x · mask · scale (inverted dropout; mask of 0/1 drawn on the CPU).
        if (IsF32(x, "Dropout")) DropoutT(Data<float>(x), Data<float>(mask), (float)scale, Data<float>(y));
        else DropoutT(Data<double>(x), Data<double>(mask), scale, Data<double>(y));
    }

    private static void DropoutT<T>(T[] x, T[] mask, T scale, T[] y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < y.Length; i++) y[i] = x[i] * mask[i] * scale;
    }

    /// <summary>c[i] = f(a[i], b[i]) over whole arrays.</summary>
    private static void Map2<T>(T[] a, T[] b, T[] c, Func<T, T, T> f)
    {
        for (int i = 0; i < c.Length; i++) c[i] = f(a[i], b[i]);
    }
}
