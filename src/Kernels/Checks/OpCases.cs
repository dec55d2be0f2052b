namespace Engine.Kernels.Checks;

/// <summary>
/// The op table as cross-check cases (one or more per IBackend op, float32 and float64), with
/// independent reference formulas. <see cref="All"/> with <c>large: false</c> keeps the CPU work of
/// `make test` small; gpu-check uses <c>large: true</c> so the timings mean something.
/// </summary>
internal static partial class OpCases
{
    private static readonly DType[] Floats = [DType.Float32, DType.Float64];

    /// <summary>Problem sizes: small for tests, large for gpu-check timings. None is a multiple of a block size.</summary>
    internal sealed record Sizes(int N, int[] Reduce, int[][] Rows, (int M, int K, int N, int Batch) Gemm, int[] Image, int[] Norm)
    {
        public static readonly Sizes Small = new(10_007, [37, 129, 11], [[203, 37], [7, 1000]], (67, 129, 93, 3), [2, 3, 11, 13], [5, 4, 7, 9]);
        public static readonly Sizes Large = new(4_000_037, [257, 1031, 33], [[4099, 1000], [65_537, 10]], (1031, 1029, 1027, 4), [32, 16, 61, 59], [64, 32, 29, 31]);
    }

    /// <summary>Every case, in op-table order.</summary>
    public static IReadOnlyList<OpCase> All(bool large = false)
    {
        var s = large ? Sizes.Large : Sizes.Small;
        return [.. FillCopyCast(s), .. Elementwise(s), .. Reduce(s), .. Linear(s), .. Softmax(s), .. Conv(s), .. Pool(s), .. BatchNorm(s), .. Style(s), .. Optim(s), .. Edges()];
    }

    internal static string Sfx(DType d) => d switch { DType.Float32 => "f32", DType.Float64 => "f64", DType.Int32 => "i32", _ => "i64" };

    // ---- inputs: random, never zero (the edge cases of OpCases.Edges.cs add 0, −0, NaN, ±∞, denormals) ----

    /// <summary>Values with |v| in [lo, hi) and a random sign.</summary>
    internal static Tensor NonZero(Generator g, int[] shape, DType d, double lo = 0.1, double hi = 2.0)
    {
        var v = new double[Tensor.SizeOf(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = (lo + (hi - lo) * g.NextDouble()) * (g.NextDouble() < 0.5 ? -1 : 1);
        return Make(v, shape, d);
    }

    /// <summary>Values in [lo, hi) (positive by default).</summary>
    internal static Tensor Uniform(Generator g, int[] shape, DType d, double lo = 0.5, double hi = 1.5)
    {
        var v = new double[Tensor.SizeOf(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = lo + (hi - lo) * g.NextDouble();
        return Make(v, shape, d);
    }

    /// <summary>Small integers 1..k (as floats): equalities and ties happen.</summary>
    internal static Tensor SmallInts(Generator g, int[] shape, DType d, int k = 3)
    {
        var v = new double[Tensor.SizeOf(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = 1 + g.NextInt(k);
        return Make(v, shape, d);
    }

    /// <summary>Integer labels in [0, classes).</summary>
    internal static Tensor Labels(Generator g, int n, int classes, DType d)
    {
        var v = new int[n];
        for (int i = 0; i < n; i++) v[i] = g.NextInt(classes);
        return d == DType.Int32 ? Tensor.FromArray(v) : Tensor.FromArray(v.Select(x => (long)x).ToArray());
    }

    internal static Tensor Make(double[] v, int[] shape, DType d) => d switch
    {
        DType.Float64 => Tensor.FromArray(v, shape),
        DType.Float32 => Tensor.FromArray(v.Select(x => (float)x).ToArray(), shape),
        DType.Int32 => Tensor.FromArray(v.Select(x => (int)x).ToArray(), shape),
        _ => Tensor.FromArray(v.Select(x => (long)x).ToArray(), shape),
    };

    /// <summary>A zero tensor of the given shape on the device of <paramref name="like"/> (for ops that add into their output).</summary>
    internal static Tensor Zeros(Tensor like, int[] shape, DType? dtype = null) => Tensor.Zeros(shape, dtype ?? like.DType, like.Device);

    /// <summary>
    /// An output the op must overwrite, prefilled with NaN (floats) or <see cref="UnwrittenInt"/> (integers) on the
    /// device of <paramref name="like"/>: an element the op leaves unwritten, or reads before writing, shows up in
    /// the comparison — as it would in a buffer from IBackend.AllocateUninitialized (Tensor.Empty) in real use.
    /// </summary>
    internal static Tensor Unwritten(Tensor like, int[] shape, DType? dtype = null)
    {
        var d = dtype ?? like.DType;
        return Tensor.Full(shape, d.IsFloat() ? double.NaN : UnwrittenInt, d, like.Device);
    }

    /// <summary>The integer prefill of <see cref="Unwritten"/>: no valid index, label or small cast result.</summary>
    internal const int UnwrittenInt = -123456789;

    /// <summary>The reference of an elementwise map.</summary>
    internal static double[] Map(double[] x, Func<double, double> f) => x.Select(f).ToArray();

    internal static double[] Map(double[] a, double[] b, Func<double, double, double> f)
    {
        var y = new double[a.Length];
        for (int i = 0; i < y.Length; i++) y[i] = f(a[i], b[i]);
        return y;
    }

    /// <summary>x of <paramref name="shape"/> as [outer, n, inner] around <paramref name="axis"/> (small test shapes fit in int).</summary>
    internal static (int Outer, int N, int Inner) View(int[] shape, int axis)
    {
        var v = AxisView.Of(shape, axis);
        return (checked((int)v.Outer), (int)v.N, checked((int)v.Inner));
    }

    /// <summary>v rounded to the op's precision (float32 or float64): a reference that rounds after every addition, as the op does.</summary>
    internal static double Round(double v, DType d) => d == DType.Float32 ? (float)v : v;

    /// <summary>Runs <paramref name="op"/> with Tensor.UseDeterministicAlgorithms(true), then restores the previous mode.</summary>
    internal static void Deterministically(Action op)
    {
        bool was = Tensor.AreDeterministicAlgorithmsEnabled;
        Tensor.UseDeterministicAlgorithms(true);
        try
        {
            op();
        }
        finally
        {
            Tensor.UseDeterministicAlgorithms(was);
        }
    }
}
