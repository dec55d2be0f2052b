using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine;

public sealed partial class CpuBackend
{
    // The reference meaning of every elementwise op is the one-element Apply below. The common
    // ops also have a SIMD twin (a struct implementing IUnaryFn / IBinaryFn with a scalar and a
    // Vector<T> form; the JIT specialises the loops for each struct), used for flat arrays, row
    // broadcasts ([N,M] op [M]), column broadcasts ([N,M] op [N,1]) and tensor-scalar ops.
    // Everything else walks the general broadcasting loop with Apply.

    /// <summary>f(x) for one element.</summary>
    private static T Apply<T>(UnaryOp op, T x) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Exp => T.Exp(x),
        UnaryOp.Log => T.Log(x),
        UnaryOp.Sqrt => T.Sqrt(x),
        UnaryOp.Abs => T.Abs(x),
        UnaryOp.Square => x * x,
        UnaryOp.Relu => x <= T.Zero ? T.Zero : x,
        UnaryOp.Sigmoid => T.One / (T.One + T.Exp(-x)),
        UnaryOp.Tanh => T.Tanh(x),
        UnaryOp.Sign => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        UnaryOp.RoundFloat16 => T.CreateTruncating(Amp.Precision.ToFloat16((float)double.CreateTruncating(x))),
        UnaryOp.RoundBFloat16 => T.CreateTruncating(Amp.Precision.ToBFloat16((float)double.CreateTruncating(x))),
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

    // ---- unary ------------------------------------------------------------------------------

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        if (IsF32(x, "Unary")) UnaryT<float>(op, x, y); else UnaryT<double>(op, x, y);
    }

    private static void UnaryT<T>(UnaryOp op, Tensor x, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = Data<T>(x);
        var ys = Data<T>(y);
        switch (op)
        {
            case UnaryOp.Neg: MapAll<T, NegFn<T>>(xs, ys); break;
            case UnaryOp.Abs: MapAll<T, AbsFn<T>>(xs, ys); break;
            case UnaryOp.Square: MapAll<T, SquareFn<T>>(xs, ys); break;
            case UnaryOp.Sqrt: MapAll<T, SqrtFn<T>>(xs, ys); break;
            case UnaryOp.Relu: MapAll<T, ReluFn<T>>(xs, ys); break;
            case UnaryOp.Exp: MapAll<T, ExpFn<T>>(xs, ys); break;
            case UnaryOp.Log: MapAll<T, LogFn<T>>(xs, ys); break;
            case UnaryOp.Sigmoid: MapAll<T, SigmoidFn<T>>(xs, ys); break;
            default: For(x.Size, (s, e) => { for (int i = s; i < e; i++) ys[i] = Apply(op, xs[i]); }); break;
        }
    }

    /// <summary>ys = f(xs) over whole arrays, in parallel chunks when large.</summary>
    private static void MapAll<T, F>(T[] xs, T[] ys) where T : unmanaged, IFloatingPointIeee754<T> where F : IUnaryFn<T>
        => For(xs.Length, (s, e) => Map<T, F>(xs.AsSpan(s, e - s), ys.AsSpan(s, e - s)));

    /// <summary>y[i] = f(x[i]); y may be x.</summary>
    private static void Map<T, F>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where F : IUnaryFn<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0, w = (nuint)Vector<T>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + w <= n; i += w) F.Vector(Vector.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(Unsafe.Add(ref rx, i));
    }

    // ---- binary -----------------------------------------------------------------------------

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (IsF32(a, "Binary")) BinaryT<float>(op, a, b, y); else BinaryT<double>(op, a, b, y);
    }

    private static void BinaryT<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool done = op switch
        {
            BinaryOp.Add => BinaryFast<T, AddFn<T>>(a, b, y),
            BinaryOp.Sub => BinaryFast<T, SubFn<T>>(a, b, y),
            BinaryOp.Mul => BinaryFast<T, MulFn<T>>(a, b, y),
            BinaryOp.Div => BinaryFast<T, DivFn<T>>(a, b, y),
            BinaryOp.Maximum => BinaryFast<T, MaxFn<T>>(a, b, y),
            BinaryOp.Minimum => BinaryFast<T, MinFn<T>>(a, b, y),
            BinaryOp.Greater => BinaryFast<T, GreaterFn<T>>(a, b, y),
            BinaryOp.Equal => BinaryFast<T, EqualFn<T>>(a, b, y),
            _ => false,
        };
        if (!done) BinaryGeneral<T>(op, a, b, y);
    }

    /// <summary>
    /// The SIMD cases: equal sizes, one side a single value, one side a trailing block of y's shape
    /// (row broadcast, e.g. [N,M] + [M]) or a leading block (column broadcast, e.g. [N,M] · [N,1]).
    /// False when the shapes are another broadcast (the general loop takes those).
    /// </summary>
    private static bool BinaryFast<T, F>(Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        T[] av = Data<T>(a), bv = Data<T>(b), yv = Data<T>(y);
        long size = y.Size;
        if (size == 0) return true;
        if (a.Size == size && b.Size == size)
        {
            For(size, (s, e) => Map<T, F>(av.AsSpan(s, e - s), bv.AsSpan(s, e - s), yv.AsSpan(s, e - s)));
            return true;
        }
        if (b.Size == 1 && a.Size == size)
        {
            T s0 = bv[0];
            For(size, (s, e) => MapScalar<T, F>(av.AsSpan(s, e - s), s0, yv.AsSpan(s, e - s), scalarFirst: false));
            return true;
        }
        if (a.Size == 1 && b.Size == size)
        {
            T s0 = av[0];
            For(size, (s, e) => MapScalar<T, F>(bv.AsSpan(s, e - s), s0, yv.AsSpan(s, e - s), scalarFirst: true));
            return true;
        }
        int[] ys = y.ShapeRef;
        bool aFull = a.Size == size, bFull = b.Size == size;
        if (aFull == bFull) return false;
        var small = aFull ? b : a;
        T[] fv = aFull ? av : bv, sv = aFull ? bv : av;
        bool smallFirst = !aFull;
        int inner = (int)small.Size;
        if (IsTrailingBlock(small.ShapeRef, ys))
        {
            // Row broadcast: every row of length `inner` meets the same small block. Short rows (a bias
            // of 16 over [N·H·W, 16]) are taken `group` at a time against the block repeated `group`
            // times, so each vector loop runs over ≥ 256 elements instead of one short row.
            long rows = size / inner;
            int group = Math.Max(1, 256 / inner);
            var block = sv.AsSpan(0, inner);
            T[] rep = group == 1 ? sv : new T[group * inner];
            if (group > 1) for (int i = 0; i < group; i++) block.CopyTo(rep.AsSpan(i * inner));
            For(rows, (s, e) =>
            {
                for (int r = s; r < e; r += group)
                {
                    int len = Math.Min(group, e - r) * inner;
                    var full = fv.AsSpan(r * inner, len);
                    var outRow = yv.AsSpan(r * inner, len);
                    var small = rep.AsSpan(0, len);
                    if (smallFirst) Map<T, F>(small, full, outRow); else Map<T, F>(full, small, outRow);
                }
            }, grain: Math.Max(1, ParallelThreshold / inner));
            return true;
        }
        if (IsLeadingBlock(small.ShapeRef, ys))
        {
            // Column broadcast: row r (length size / small.Size) meets the single value small[r].
            int len = (int)(size / small.Size);
            For(small.Size, (s, e) =>
            {
                for (int r = s; r < e; r++)
                    MapScalar<T, F>(fv.AsSpan(r * len, len), sv[r], yv.AsSpan(r * len, len), smallFirst);
            }, grain: Math.Max(1, ParallelThreshold / Math.Max(len, 1)));
            return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="s"/>, without its leading 1s, equals the last dimensions of <paramref name="y"/>.</summary>
    internal static bool IsTrailingBlock(int[] s, int[] y)
    {
        int start = 0;
        while (start < s.Length && s[start] == 1) start++;
        int len = s.Length - start;
        if (len > y.Length) return false;
        for (int i = 0; i < len; i++) if (s[start + i] != y[y.Length - len + i]) return false;
        return true;
    }

    /// <summary>True when <paramref name="s"/> (same rank as y) equals y's first dimensions followed only by 1s.</summary>
    internal static bool IsLeadingBlock(int[] s, int[] y)
    {
        if (s.Length != y.Length) return false;
        int d = 0;
        while (d < s.Length && s[d] == y[d]) d++;
        for (int i = d; i < s.Length; i++) if (s[i] != 1) return false;
        return true;
    }

    /// <summary>y[i] = f(a[i], b[i]); y may be a or b.</summary>
    private static void Map<T, F>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0, w = (nuint)Vector<T>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + w <= n; i += w) F.Vector(Vector.LoadUnsafe(ref ra, i), Vector.LoadUnsafe(ref rb, i)).StoreUnsafe(ref ry, i);
        for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
    }

    /// <summary>y[i] = f(a[i], s), or f(s, a[i]) when <paramref name="scalarFirst"/>; y may be a.</summary>
    private static void MapScalar<T, F>(ReadOnlySpan<T> a, T s, Span<T> y, bool scalarFirst) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0, w = (nuint)Vector<T>.Count;
        var vs = new Vector<T>(s);
        if (scalarFirst)
        {
            if (Vector.IsHardwareAccelerated)
                for (; i + w <= n; i += w) F.Vector(vs, Vector.LoadUnsafe(ref ra, i)).StoreUnsafe(ref ry, i);
            for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(s, Unsafe.Add(ref ra, i));
        }
        else
        {
            if (Vector.IsHardwareAccelerated)
                for (; i + w <= n; i += w) F.Vector(Vector.LoadUnsafe(ref ra, i), vs).StoreUnsafe(ref ry, i);
            for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(Unsafe.Add(ref ra, i), s);
        }
    }

    /// <summary>
    /// The general broadcasting walk (the reference): y is viewed as [outer, inner] with inner = its
    /// last dimension; for each outer row the offsets of a and b come from broadcast strides (0 along stretched axes).
    /// </summary>
    private static void BinaryGeneral<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] av = Data<T>(a), bv = Data<T>(b), yv = Data<T>(y);
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

    /// <inheritdoc/>
    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false)
    {
        if (IsF32(a, "BinaryScalar")) ScalarT(op, Data<float>(a), (float)s, Data<float>(y), scalarFirst);
        else ScalarT(op, Data<double>(a), s, Data<double>(y), scalarFirst);
    }

    private static void ScalarT<T>(BinaryOp op, T[] a, T s, T[] y, bool scalarFirst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: ScalarAll<T, AddFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Sub: ScalarAll<T, SubFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Mul: ScalarAll<T, MulFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Div: ScalarAll<T, DivFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Maximum: ScalarAll<T, MaxFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Minimum: ScalarAll<T, MinFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Greater: ScalarAll<T, GreaterFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Equal: ScalarAll<T, EqualFn<T>>(a, s, y, scalarFirst); break;
            case BinaryOp.Pow when !scalarFirst && s == T.CreateChecked(2): MapAll<T, SquareFn<T>>(a, y); break;
            default:
                For(a.Length, (st, e) =>
                {
                    if (scalarFirst) for (int i = st; i < e; i++) y[i] = Apply(op, s, a[i]);
                    else for (int i = st; i < e; i++) y[i] = Apply(op, a[i], s);
                });
                break;
        }
    }

    private static void ScalarAll<T, F>(T[] a, T s, T[] y, bool scalarFirst) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
        => For(a.Length, (st, e) => MapScalar<T, F>(a.AsSpan(st, e - st), s, y.AsSpan(st, e - st), scalarFirst));

    private static void MapAllBinary<T, F>(T[] a, T[] b, T[] y) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
        => For(y.Length, (s, e) => Map<T, F>(a.AsSpan(s, e - s), b.AsSpan(s, e - s), y.AsSpan(s, e - s)));

    // ---- activation backward and dropout -----------------------------------------------------

    /// <inheritdoc/>
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        if (IsF32(x, "ReluBackward")) MapAllBinary<float, ReluBackwardFn<float>>(Data<float>(x), Data<float>(dy), Data<float>(dx));
        else MapAllBinary<double, ReluBackwardFn<double>>(Data<double>(x), Data<double>(dy), Data<double>(dx));
    }

    /// <inheritdoc/>
    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (IsF32(y, "SigmoidBackward")) MapAllBinary<float, SigmoidBackwardFn<float>>(Data<float>(y), Data<float>(dy), Data<float>(dx));
        else MapAllBinary<double, SigmoidBackwardFn<double>>(Data<double>(y), Data<double>(dy), Data<double>(dx));
    }

    /// <inheritdoc/>
    public void TanhBackward(Tensor y, Tensor dy, Tensor dx)
    {
        if (IsF32(y, "TanhBackward")) MapAllBinary<float, TanhBackwardFn<float>>(Data<float>(y), Data<float>(dy), Data<float>(dx));
        else MapAllBinary<double, TanhBackwardFn<double>>(Data<double>(y), Data<double>(dy), Data<double>(dx));
    }

    /// <inheritdoc/>
    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y)
    {
        if (IsF32(x, "Dropout")) DropoutT(Data<float>(x), Data<float>(mask), (float)scale, Data<float>(y));
        else DropoutT(Data<double>(x), Data<double>(mask), scale, Data<double>(y));
    }

    private static void DropoutT<T>(T[] x, T[] mask, T scale, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
        => For(y.Length, (s, e) =>
        {
            Map<T, MulFn<T>>(x.AsSpan(s, e - s), mask.AsSpan(s, e - s), y.AsSpan(s, e - s));
            MapScalar<T, MulFn<T>>(y.AsSpan(s, e - s), scale, y.AsSpan(s, e - s), scalarFirst: false);
        });

    /// <summary>The managed array behind a CPU tensor.</summary>
    private static T[] Data<T>(Tensor t) => (T[])((CpuStorage)t.Storage).Data;
}
