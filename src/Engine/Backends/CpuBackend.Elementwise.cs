using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <summary>f(x) for one element.</summary>
    private static T Apply<T>(UnaryOp op, T x) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Exp => T.Exp(x),
        UnaryOp.Log => T.Log(x),
        UnaryOp.Sqrt => T.Sqrt(x),
        UnaryOp.Abs => T.Abs(x),
        UnaryOp.Square => x * x,
        UnaryOp.Relu => x > T.Zero ? x : T.Zero,
        UnaryOp.Sigmoid => T.One / (T.One + T.Exp(-x)),
        UnaryOp.Tanh => T.Tanh(x),
        UnaryOp.Sign => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        _ => throw new NotSupportedException($"Unary op {op}."),
    };

    /// <summary>f(a, b) for one pair.</summary>
    private static T Apply<T>(BinaryOp op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => op switch
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
        _ => throw new NotSupportedException($"Binary op {op}."),
    };

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        if (IsF32(x, "Unary")) UnaryT<float>(op, x, y); else UnaryT<double>(op, x, y);
    }

    private static void UnaryT<T>(UnaryOp op, Tensor x, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        For(x.Size, (s, e) =>
        {
            for (int i = s; i < e; i++) ys[i] = Apply(op, xs[i]);
        });
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (IsF32(a, "Binary")) BinaryT<float>(op, a, b, y); else BinaryT<double>(op, a, b, y);
    }

    /// <summary>
    /// Broadcasting walk: y is viewed as [outer, inner] with inner = its last dimension; for each
    /// outer row the offsets of a and b are found from broadcast strides (0 along stretched axes).
    /// </summary>
    private static void BinaryT<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var av = (T[])((CpuStorage)a.Storage).Data;
        var bv = (T[])((CpuStorage)b.Storage).Data;
        var yv = (T[])((CpuStorage)y.Storage).Data;
        if (a.Size == y.Size && b.Size == y.Size)
        {
            if (op == BinaryOp.Add) { For(y.Size, (s, e) => VectorAdd<T>(av.AsSpan(s, e - s), bv.AsSpan(s, e - s), yv.AsSpan(s, e - s))); return; }
            if (op == BinaryOp.Mul) { For(y.Size, (s, e) => VectorMul<T>(av.AsSpan(s, e - s), bv.AsSpan(s, e - s), yv.AsSpan(s, e - s))); return; }
            For(y.Size, (s, e) => { for (int i = s; i < e; i++) yv[i] = Apply(op, av[i], bv[i]); });
            return;
        }
        int[] ys = y.ShapeRef;
        int rank = ys.Length;
        long[] sa = BroadcastStrides(a.ShapeRef, ys), sb = BroadcastStrides(b.ShapeRef, ys);
        int inner = rank == 0 ? 1 : ys[rank - 1];
        long ia = rank == 0 ? 0 : sa[rank - 1], ib = rank == 0 ? 0 : sb[rank - 1];
        long outer = inner == 0 ? 0 : y.Size / inner;
        For(outer, (s, e) =>
        {
            for (int row = s; row < e; row++)
            {
                long oa = 0, ob = 0, rest = row;
                for (int d = rank - 2; d >= 0; d--)
                {
                    long idx = rest % ys[d];
                    rest /= ys[d];
                    oa += idx * sa[d];
                    ob += idx * sb[d];
                }
                long oy = (long)row * inner;
                for (int j = 0; j < inner; j++) yv[oy + j] = Apply(op, av[oa + j * ia], bv[ob + j * ib]);
            }
        }, grain: Math.Max(1, ParallelThreshold / Math.Max(inner, 1)));
    }

    /// <summary>Element strides of a tensor of shape <paramref name="s"/> read as the broadcast shape <paramref name="y"/> (0 where stretched).</summary>
    internal static long[] BroadcastStrides(int[] s, int[] y)
    {
        var strides = new long[y.Length];
        long stride = 1;
        for (int d = y.Length - 1, k = s.Length - 1; d >= 0; d--, k--)
        {
            int dim = k >= 0 ? s[k] : 1;
            strides[d] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return strides;
    }

    private static void VectorAdd<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, w = Vector<T>.Count;
        for (; i <= a.Length - w; i += w) (new Vector<T>(a[i..]) + new Vector<T>(b[i..])).CopyTo(y[i..]);
        for (; i < a.Length; i++) y[i] = a[i] + b[i];
    }

    private static void VectorMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, w = Vector<T>.Count;
        for (; i <= a.Length - w; i += w) (new Vector<T>(a[i..]) * new Vector<T>(b[i..])).CopyTo(y[i..]);
        for (; i < a.Length; i++) y[i] = a[i] * b[i];
    }

    /// <inheritdoc/>
    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false)
    {
        if (IsF32(a, "BinaryScalar")) ScalarT(op, (float[])((CpuStorage)a.Storage).Data, (float)s, (float[])((CpuStorage)y.Storage).Data, scalarFirst);
        else ScalarT(op, (double[])((CpuStorage)a.Storage).Data, s, (double[])((CpuStorage)y.Storage).Data, scalarFirst);
    }

    private static void ScalarT<T>(BinaryOp op, T[] a, T s, T[] y, bool scalarFirst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        For(a.Length, (st, e) =>
        {
            if (scalarFirst) for (int i = st; i < e; i++) y[i] = Apply(op, s, a[i]);
            else for (int i = st; i < e; i++) y[i] = Apply(op, a[i], s);
        });
    }

    /// <inheritdoc/>
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        if (IsF32(x, "ReluBackward")) Map3<float>(x, dy, dx, (xi, g) => xi > 0 ? g : 0);
        else Map3<double>(x, dy, dx, (xi, g) => xi > 0 ? g : 0);
    }

    /// <inheritdoc/>
    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (IsF32(y, "SigmoidBackward")) Map3<float>(y, dy, dx, (yi, g) => g * yi * (1 - yi));
        else Map3<double>(y, dy, dx, (yi, g) => g * yi * (1 - yi));
    }

    /// <inheritdoc/>
    public void TanhBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (IsF32(y, "TanhBackward")) Map3<float>(y, dy, dx, (yi, g) => g * (1 - yi * yi));
        else Map3<double>(y, dy, dx, (yi, g) => g * (1 - yi * yi));
    }

    /// <inheritdoc/>
    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y)
    {
        if (IsF32(x, "Dropout")) Map3<float>(x, mask, y, (xi, m) => xi * m * (float)scale);
        else Map3<double>(x, mask, y, (xi, m) => xi * m * scale);
    }

    /// <summary>z[i] = f(x[i], y[i]) over equal-sized tensors.</summary>
    private static void Map3<T>(Tensor x, Tensor y, Tensor z, Func<T, T, T> f) where T : unmanaged
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        var zs = (T[])((CpuStorage)z.Storage).Data;
        For(x.Size, (s, e) => { for (int i = s; i < e; i++) zs[i] = f(xs[i], ys[i]); });
    }
}
