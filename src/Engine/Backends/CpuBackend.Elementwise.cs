using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    // The reference meaning of every elementwise op is the one-element Apply below; its formulas are
    // the scalar forms of the SIMD function structs (CpuBackend.SimdFns.cs), so each is written once.
    // The common ops run the SIMD loops (CpuBackend.Elementwise.Simd.cs) on flat arrays, row and column
    // broadcasts and tensor–scalar ops; everything else walks the general broadcasting loop with Apply.

    /// <summary>f(x) for one element.</summary>
    private static T Apply<T>(UnaryOp op, T x) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        UnaryOp.Neg => NegFn<T>.Scalar(x),
        UnaryOp.Exp => ExpFn<T>.Scalar(x),
        UnaryOp.Log => LogFn<T>.Scalar(x),
        UnaryOp.Sqrt => SqrtFn<T>.Scalar(x),
        UnaryOp.Abs => AbsFn<T>.Scalar(x),
        UnaryOp.Square => SquareFn<T>.Scalar(x),
        UnaryOp.Relu => ReluFn<T>.Scalar(x),
        UnaryOp.Sigmoid => SigmoidFn<T>.Scalar(x),
        UnaryOp.Tanh => T.Tanh(x),
        UnaryOp.Sign => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero,
        UnaryOp.RoundFloat16 => T.CreateTruncating(Amp.Precision.ToFloat16((float)double.CreateTruncating(x))),
        UnaryOp.RoundBFloat16 => T.CreateTruncating(Amp.Precision.ToBFloat16((float)double.CreateTruncating(x))),
        _ => throw new NotSupportedException($"Unary op {op}."),
    };

    /// <summary>f(a, b) for one pair.</summary>
    private static T Apply<T>(BinaryOp op, T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => op switch
    {
        BinaryOp.Add => AddFn<T>.Scalar(a, b),
        BinaryOp.Sub => SubFn<T>.Scalar(a, b),
        BinaryOp.Mul => MulFn<T>.Scalar(a, b),
        BinaryOp.Div => DivFn<T>.Scalar(a, b),
        BinaryOp.Pow => T.Pow(a, b),
        BinaryOp.Maximum => MaxFn<T>.Scalar(a, b),
        BinaryOp.Minimum => MinFn<T>.Scalar(a, b),
        BinaryOp.Greater => GreaterFn<T>.Scalar(a, b),
        BinaryOp.Equal => EqualFn<T>.Scalar(a, b),
        _ => throw new NotSupportedException($"Binary op {op}."),
    };

    // ---- unary ------------------------------------------------------------------------------

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y) => Dispatch(x, "Unary", new UnaryCall(op, x, y));

    private readonly record struct UnaryCall(UnaryOp Op, Tensor X, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => UnaryT<T>(Op, X, Y);
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

    // ---- binary -----------------------------------------------------------------------------

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y) => Dispatch(a, "Binary", new BinaryCall(op, a, b, y));

    private readonly record struct BinaryCall(BinaryOp Op, Tensor A, Tensor B, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => BinaryT<T>(Op, A, B, Y);
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
    /// The general broadcasting walk (the reference): y is viewed as [outer, inner] with inner = its
    /// last dimension; for each outer row the offsets of a and b come from broadcast strides (0 along stretched axes).
    /// </summary>
    private static void BinaryGeneral<T>(BinaryOp op, Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] av = Data<T>(a), bv = Data<T>(b), yv = Data<T>(y);
        int[] ys = y.ShapeRef;
        int rank = ys.Length;
        long[] sa = BroadcastStrides.Of(a.ShapeRef, ys), sb = BroadcastStrides.Of(b.ShapeRef, ys);
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

    /// <inheritdoc/>
    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false)
        => Dispatch(a, "BinaryScalar", new BinaryScalarCall(op, a, s, y, scalarFirst));

    private readonly record struct BinaryScalarCall(BinaryOp Op, Tensor A, double S, Tensor Y, bool ScalarFirst) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => ScalarT(Op, Data<T>(A), T.CreateTruncating(S), Data<T>(Y), ScalarFirst);
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

    // ---- activation backward and dropout -----------------------------------------------------

    /// <inheritdoc/>
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx) => Dispatch(x, "ReluBackward", new ActivationBackwardCall(UnaryOp.Relu, x, dy, dx));

    /// <inheritdoc/>
    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx) => Dispatch(y, "SigmoidBackward", new ActivationBackwardCall(UnaryOp.Sigmoid, y, dy, dx));

    /// <inheritdoc/>
    public void TanhBackward(Tensor y, Tensor dy, Tensor dx) => Dispatch(y, "TanhBackward", new ActivationBackwardCall(UnaryOp.Tanh, y, dy, dx));

    /// <summary>dx = f'(dy) of <paramref name="Activation"/> from its saved input (ReLU) or output (sigmoid, tanh) <paramref name="Saved"/>.</summary>
    private readonly record struct ActivationBackwardCall(UnaryOp Activation, Tensor Saved, Tensor Dy, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] s = Data<T>(Saved), dy = Data<T>(Dy), dx = Data<T>(Dx);
            switch (Activation)
            {
                case UnaryOp.Relu: MapAllBinary<T, ReluBackwardFn<T>>(s, dy, dx); break;
                case UnaryOp.Sigmoid: MapAllBinary<T, SigmoidBackwardFn<T>>(s, dy, dx); break;
                default: MapAllBinary<T, TanhBackwardFn<T>>(s, dy, dx); break;
            }
        }
    }

    /// <inheritdoc/>
    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y) => Dispatch(x, "Dropout", new DropoutCall(x, mask, scale, y));

    private readonly record struct DropoutCall(Tensor X, Tensor Mask, double Scale, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => DropoutT(Data<T>(X), Data<T>(Mask), T.CreateTruncating(Scale), Data<T>(Y));
    }

    /// <summary>y = x · mask · scale.</summary>
    private static void DropoutT<T>(T[] x, T[] mask, T scale, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
        => For(y.Length, (s, e) =>
        {
            Map<T, MulFn<T>>(x.AsSpan(s, e - s), mask.AsSpan(s, e - s), y.AsSpan(s, e - s));
            MapScalar<T, MulFn<T>>(y.AsSpan(s, e - s), scale, y.AsSpan(s, e - s), scalarFirst: false);
        });

    // ---- fill, copy, cast -----------------------------------------------------------------

    /// <inheritdoc/>
    public void Fill(Tensor t, double value)
    {
        switch (t.DType)
        {
            case DType.Float32: t.Span<float>().Fill((float)value); break;
            case DType.Float64: t.Span<double>().Fill(value); break;
            case DType.Int32: t.Span<int>().Fill((int)value); break;
            default: t.Span<long>().Fill((long)value); break;
        }
    }

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst) => Array.Copy(((CpuStorage)src.Storage).Data, ((CpuStorage)dst.Storage).Data, src.Size);

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst)
    {
        var s = ((CpuStorage)src.Storage).Data;
        var d = ((CpuStorage)dst.Storage).Data;
        switch (s)
        {
            case float[] a: CastFrom<float>(a, d); break;
            case double[] a: CastFrom<double>(a, d); break;
            case int[] a: CastFrom<int>(a, d); break;
            case long[] a: CastFrom<long>(a, d); break;
            default: throw new NotSupportedException($"Cast: no CPU storage of {s.GetType().Name}");
        }
    }

    private static void CastFrom<TFrom>(TFrom[] a, Array d) where TFrom : unmanaged, INumberBase<TFrom>
    {
        switch (d)
        {
            case float[] b: CastLoop(a, b); break;
            case double[] b: CastLoop(a, b); break;
            case int[] b: CastLoop(a, b); break;
            case long[] b: CastLoop(a, b); break;
            default: throw new NotSupportedException($"Cast: no CPU storage of {d.GetType().Name}");
        }
    }

    // b[i] = (TTo) a[i] as C casts it: floats → integers truncate toward zero (PyTorch's .long(), NumPy's
    // astype(int)) and saturate at the integer's range, NaN → 0; long → int keeps the low 32 bits.
    private static void CastLoop<TFrom, TTo>(TFrom[] a, TTo[] b) where TFrom : unmanaged, INumberBase<TFrom> where TTo : unmanaged, INumberBase<TTo>
    {
        for (int i = 0; i < a.Length; i++) b[i] = TTo.CreateTruncating(a[i]);
    }
}
