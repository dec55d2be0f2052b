namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    // ---- edge cases: the values the random inputs avoid ------------------------------------------
    // 0 and −0, NaN, ±∞, denormals, ±1e4 and the largest finite value, ties. The references follow
    // PyTorch 1.13: NaN propagates through maximum/minimum and max/min reductions, argmax and max pooling
    // pick the first NaN, relu(NaN) = NaN, relu's gradient is 0 at ±0 and passes dy at NaN, sign(NaN) = 0,
    // float → int casts truncate, saturate and give 0 for NaN (cvt.rzi on the GPU). Every element is
    // judged against itself (the floor of its relative error is the format's smallest normal number).

    /// <summary>The smallest normal number of a float type: the floor of the edge cases' relative error.</summary>
    private static double Normal(DType d) => d == DType.Float32 ? 1.1754943508222875e-38 : 2.2250738585072014e-308;

    /// <summary>The value as the dtype stores it (float32 results round once, as the op's own arithmetic does).</summary>
    private static double Stored(double v, DType d) => d == DType.Float32 ? (float)v : v;

    /// <summary>0, −0, ±1, ±2.5, 0.5, 3, ±1e4, NaN, ±∞, the smallest denormal and a larger one of each sign, ± the largest finite value.</summary>
    internal static double[] EdgeValues(DType d)
    {
        bool f = d == DType.Float32;
        double tiny = f ? float.Epsilon : double.Epsilon, denormal = f ? 1e-40 : 1e-310, max = f ? float.MaxValue : double.MaxValue;
        return [0.0, -0.0, 1, -1, 2.5, -2.5, 0.5, 3, 1e4, -1e4, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
                tiny, -tiny, denormal, -denormal, max, -max];
    }

    /// <summary>Random values of which about a third are edge values (no ±max: sums of it overflow in an order-dependent way).</summary>
    private static Tensor Sprinkled(Generator g, int[] shape, DType d, double[]? edges = null)
    {
        edges ??= EdgeValues(d).Where(v => !(double.IsFinite(v) && Math.Abs(v) > 1e30)).ToArray();
        var v = new double[Tensor.SizeOf(shape)];
        for (int i = 0; i < v.Length; i++)
            v[i] = g.NextDouble() < 0.35 ? edges[g.NextInt(edges.Length)] : (0.1 + 1.9 * g.NextDouble()) * (g.NextDouble() < 0.5 ? -1 : 1);
        return Make(v, shape, d);
    }

    /// <summary>Unary reference with PyTorch's rules at the edges.</summary>
    private static double UnaryEdgeRef(UnaryOp op, double x, Func<double, double> f) => op switch
    {
        UnaryOp.Relu => x <= 0 ? 0 : x,
        UnaryOp.Sign => x > 0 ? 1 : x < 0 ? -1 : 0,
        _ => f(x),
    };

    private static IEnumerable<OpCase> Edges()
    {
        foreach (var d in Floats)
        {
            double[] e = EdgeValues(d);
            int n = e.Length;
            foreach (var (op, f, _) in UnaryOps)
                yield return new OpCase
                {
                    Name = $"Unary.{op} {d.Name()} edges (±0, NaN, ±∞, denormals, ±max)", Kernel = $"unary_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                    Kind = OpKind.Elementwise, DType = d, Floor = Normal(d),
                    Inputs = _ => [Make(e, [n], d)],
                    Outputs = i => [Unwritten(i[0], [n])],
                    Execute = (b, i, o) => b.Unary(op, i[0], o[0]),
                    Reference = x => [Map(x[0], v => Stored(UnaryEdgeRef(op, v, f), d))],
                };

            // Every pair of edge values: a = e[i], b = e[j] at i·n + j.
            var pairsA = Enumerable.Range(0, n * n).Select(t => e[t / n]).ToArray();
            var pairsB = Enumerable.Range(0, n * n).Select(t => e[t % n]).ToArray();
            foreach (var (op, f) in BinaryOps)
                yield return new OpCase
                {
                    Name = $"Binary.{op} {d.Name()} edges, every pair", Kernel = $"binary_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                    Kind = OpKind.Elementwise, DType = d, Floor = Normal(d),
                    Inputs = _ => [Make(pairsA, [n * n], d), Make(pairsB, [n * n], d)],
                    Outputs = i => [Unwritten(i[0], [n * n])],
                    Execute = (b, i, o) => b.Binary(op, i[0], i[1], o[0]),
                    // Math.Max/Min are IEEE 754-2019 maximum/minimum: NaN propagates, as in torch.maximum.
                    Reference = x => [Map(x[0], x[1], (a, b) => Stored(f(a, b), d))],
                };
            foreach (var op in new[] { BinaryOp.Maximum, BinaryOp.Minimum })
                yield return new OpCase
                {
                    Name = $"BinaryScalar.{op} {d.Name()} edges ∘ NaN", Kernel = $"binary_scalar_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                    Kind = OpKind.Elementwise, DType = d, Floor = Normal(d),
                    Inputs = _ => [Make(e, [n], d)],
                    Outputs = i => [Unwritten(i[0], [n])],
                    Execute = (b, i, o) => b.BinaryScalar(op, i[0], double.NaN, o[0]),
                    Reference = x => [Map(x[0], _ => double.NaN)],
                };

            yield return EdgeAct("ReluBackward", "relu_backward", d, e, (b, i, o) => b.ReluBackward(i[0], i[1], o[0]), (x, dy) => x <= 0 ? 0 : dy);
            yield return EdgeAct("SigmoidBackward", "sigmoid_backward", d, e, (b, i, o) => b.SigmoidBackward(i[0], i[1], o[0]), (y, dy) => dy * y * (1 - y));
            yield return EdgeAct("TanhBackward", "tanh_backward", d, e, (b, i, o) => b.TanhBackward(i[0], i[1], o[0]), (y, dy) => dy * (1 - y * y));

            foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Mean, ReduceOp.Max, ReduceOp.Min })
                foreach (int axis in new[] { 1, 2 })
                {
                    int[] shape = [6, 9, 5];
                    var keep = (int[])shape.Clone();
                    keep[axis] = 1;
                    yield return new OpCase
                    {
                        Name = $"Reduce.{op} {d.Name()} {Tensor.ShapeString(shape)} axis {axis} edges (NaN, ±∞, ±0, denormals, ±1e4)",
                        Kernel = $"reduce_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                        Kind = op is ReduceOp.Max or ReduceOp.Min ? OpKind.Exact : OpKind.Reduction, DType = d,
                        Inputs = g => [Sprinkled(g, shape, d)],
                        Outputs = i => [Unwritten(i[0], keep)],
                        Execute = (b, i, o) => b.Reduce(op, i[0], axis, o[0]),
                        Reference = x => [ReduceRef(x[0], shape, axis, op)],
                    };
                }

            // Ties and NaN: the first NaN, else the first largest value wins.
            double[] tied = [1, 2, 3, 3, double.NaN, double.NegativeInfinity, double.PositiveInfinity, -0.0, 0.0];
            foreach (int axis in new[] { 1, 2 })
            {
                int[] shape = [4, 11, 7];
                yield return new OpCase
                {
                    Name = $"ArgMax {d.Name()} {Tensor.ShapeString(shape)} axis {axis} (ties, NaN, ±∞)", Kernel = "argmax_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                    Inputs = g => [Sprinkled(g, shape, d, tied)],
                    Outputs = i => [Unwritten(i[0], shape.Where((_, k) => k != axis).ToArray(), DType.Int32)],
                    Execute = (b, i, o) => b.ArgMax(i[0], axis, o[0]),
                    Reference = x => [ArgMaxRef(x[0], shape, axis)],
                };
            }
            // The 2×2/2 window with OW ≥ 8 takes the CPU's AVX2 path; 3×2/2 its unpadded loop; 3×3/1 pad 1 the general one.
            foreach (var w in new Window[] { new(2, 3, 6, 20, 2, 2, 2, 0), new(2, 3, 7, 9, 3, 2, 2, 0), new(2, 3, 7, 9, 3, 3, 1, 1) })
                yield return new OpCase
                {
                    Name = $"MaxPool2d {d.Name()} {w} (ties, NaN, ±∞)", Kernel = "max_pool2d_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                    Inputs = g => [Sprinkled(g, w.X, d, tied)],
                    Outputs = i => [Unwritten(i[0], w.Y), Unwritten(i[0], w.Y, DType.Int32)],
                    Execute = (b, i, o) => b.MaxPool2d(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0], o[1]),
                    Reference = x => { var (y, arg) = MaxPoolRef(x[0], w); return [y, arg]; },
                };

            foreach (bool log in new[] { false, true })
                yield return new OpCase
                {
                    Name = $"{(log ? "LogSoftmax" : "Softmax")} {d.Name()} {Tensor.ShapeString([SoftmaxEdgeRows.Length, 9])} edges (±1e4, ±∞, NaN, ties)",
                    Kernel = (log ? "log_softmax_" : "softmax_") + Sfx(d),
                    Kind = log ? OpKind.LogProbabilities : OpKind.Probabilities, DType = d,
                    Inputs = _ => [Make(SoftmaxEdgeRows.SelectMany(r => r).ToArray(), [SoftmaxEdgeRows.Length, 9], d)],
                    Outputs = i => [Unwritten(i[0], [SoftmaxEdgeRows.Length, 9])],
                    Execute = (b, i, o) => { if (log) b.LogSoftmax(i[0], o[0]); else b.Softmax(i[0], o[0]); },
                    Reference = x => [SoftmaxRef(x[0], SoftmaxEdgeRows.Length, 9, log)],
                };

            // NaN and ±∞ through sums: a NaN row of A makes its row of C NaN; +∞ and −∞ meeting in one sum give NaN.
            foreach (bool tb in new[] { false, true })
            {
                int m = 13, k = 17, cols = 11;
                int[] sb = tb ? [cols, k] : [k, cols];
                yield return new OpCase
                {
                    Name = $"MatMul {d.Name()} [{m}, {k}]·{Tensor.ShapeString(sb)}{(tb ? "ᵀ" : "")} edges (NaN, ±∞ in A)",
                    Kernel = d == DType.Float32 ? "cublasSgemm" : "cublasDgemm", Kind = OpKind.Reduction, DType = d,
                    Inputs = g =>
                    {
                        using var a = NonZero(g, [m, k], d);
                        var av = a.ToDoubleArray();
                        av[2 * k + 3] = double.NaN;
                        av[5 * k + 1] = double.PositiveInfinity;
                        av[7 * k + 4] = double.NegativeInfinity;
                        av[9 * k] = double.PositiveInfinity;
                        av[9 * k + 8] = double.NegativeInfinity;
                        return [Make(av, [m, k], d), NonZero(g, sb, d)];
                    },
                    Outputs = i => [Unwritten(i[0], [m, cols])],
                    Execute = (b, i, o) => b.MatMul(i[0], i[1], o[0], false, tb),
                    Reference = x => [GemmRef(x[0], x[1], [], 1, m, cols, k, false, tb, 1, 0)],
                };
            }
            foreach (var w in new Window[] { new(2, 3, 7, 9, 3, 3, 1, 1), new(2, 3, 6, 20, 2, 2, 2, 0) })
                yield return new OpCase
                {
                    Name = $"AvgPool2d {d.Name()} {w} edges (NaN, ±∞, ±0, denormals, ±1e4)", Kernel = "avg_pool2d_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [Sprinkled(g, w.X, d)],
                    Outputs = i => [Unwritten(i[0], w.Y)],
                    Execute = (b, i, o) => b.AvgPool2d(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0]),
                    Reference = x => [AvgPoolRef(x[0], w)],
                };

            (DType To, double[] Extra)[] casts = d == DType.Float32
                ? [(DType.Int32, [3e9, -3e9, 2.7, -2.7, 0.5, -0.5]), (DType.Int64, [3e9, -3e9, 1e19, -1e19, -2.7]), (DType.Float64, [])]
                : [(DType.Int64, [3e9, -3e9, 1e19, -1e19, 2.7, -2.7]), (DType.Int32, [3e9, -3e9, -0.5]), (DType.Float32, [1e39, -1e39, 1e-46, 3.4028235677973366e38])];
            foreach (var (to, extra) in casts)
            {
                double[] xs = [.. e, .. extra];
                yield return new OpCase
                {
                    Name = $"Cast {d.Name()}→{to.Name()} edges (NaN, ±∞, overflow, −0)", Kernel = $"cast_{Sfx(d)}_{Sfx(to)}",
                    Kind = to.IsFloat() ? OpKind.Elementwise : OpKind.Exact, DType = to, Floor = Normal(to.IsFloat() ? to : DType.Float64),
                    Inputs = _ => [Make(xs, [xs.Length], d)],
                    Outputs = i => [Unwritten(i[0], [xs.Length], to)],
                    Execute = (b, i, o) => b.Cast(i[0], o[0]),
                    Reference = x => [Map(x[0], v => to switch
                    {
                        DType.Int32 => double.IsNaN(v) ? 0 : Math.Clamp(Math.Truncate(v), int.MinValue, int.MaxValue),
                        DType.Int64 => double.IsNaN(v) ? 0 : (double)(long)Math.Clamp(Math.Truncate(v), long.MinValue, long.MaxValue),
                        _ => Stored(v, to),
                    })],
                };
            }
        }

        // Cross-entropy at large logits, PyTorch's formula: loss = −log_softmax(x)[label]. Each label sits
        // at its row's largest logit (alone or tied), where the loss is the same with or without a 1e-7 guard
        // inside the log at float32's precision.
        int rows = SceEdgeRows.Length, classes = SceEdgeRows[0].Length;
        double[] labels = SceEdgeRows.Select(r => (double)Array.IndexOf(r, r.Max())).ToArray();
        foreach (var target in new[] { "one-hot", "int32 labels" })
            yield return new OpCase
            {
                Name = $"SoftmaxCrossEntropy float32 [{rows}, {classes}] {target}, logits ±1e4", Kernel = target == "one-hot" ? "softmax_cross_entropy_f32" : "softmax_cross_entropy_index_f32",
                Kind = OpKind.Reduction, DType = DType.Float32,
                Inputs = _ =>
                {
                    var logits = Make(SceEdgeRows.SelectMany(r => r).ToArray(), [rows, classes], DType.Float32);
                    using var l = Make(labels, [rows], DType.Int32);
                    return [logits, target == "one-hot" ? l.OneHot(classes, DType.Float32) : Make(labels, [rows], DType.Int32)];
                },
                Outputs = i => [Unwritten(i[0], [rows, classes]), Unwritten(i[0], [rows])],
                Execute = (b, i, o) => b.SoftmaxCrossEntropy(i[0], i[1], o[0], o[1], 0.0),
                Reference = x =>
                {
                    var logp = SoftmaxRef(x[0], rows, classes, true);
                    return [SoftmaxRef(x[0], rows, classes, false), Enumerable.Range(0, rows).Select(r => -logp[r * classes + (int)labels[r]]).ToArray()];
                },
            };
    }

    /// <summary>Rows of 9 logits: large and tiny magnitudes, masked (−∞) entries, +∞ and NaN (NaN rows), all −∞ (NaN), ties, ±0 and denormals.</summary>
    private static readonly double[][] SoftmaxEdgeRows =
    [
        [1e4, -1e4, 0, 1, -1, 2.5, 1e4 - 1, -5, 3],
        [double.NegativeInfinity, 0, 1, double.NegativeInfinity, 2, -1, 0.5, double.NegativeInfinity, 3],
        [double.PositiveInfinity, 0, 1, 2, 3, 4, 5, 6, 7],
        [0, 1, double.NaN, 2, 3, 4, 5, 6, 7],
        [.. Enumerable.Repeat(double.NegativeInfinity, 9)],
        [.. Enumerable.Repeat(1e4, 9)],
        [-1e4, -1e4, -1e4, -1e4, 0, -1e4, -1e4, -1e4, -1e4],
        [0, -0.0, 1e-40, -1e-40, 0, -0.0, 1e-40, 0, -0.0],
        [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3, -1e4 + 4, -1e4 + 5, -1e4 + 6, -1e4 + 7, -1e4 + 8],
    ];

    /// <summary>Rows of 7 logits with ±1e4 in them; the largest of each row is where its label goes.</summary>
    private static readonly double[][] SceEdgeRows =
    [
        [1e4, -1e4, 0, 1, -1, 2.5, -3],
        [-1e4, -1e4, 5, -1e4, 0, -1e4, -1e4],
        [1e4, 1e4 - 1, 1e4 - 2, -1e4, 0, 1, 2],
        [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3, -1e4, -1e4, -1e4],
        [0.5, 0.5 - 0.6931471805599453, -1e4, -1e4, -1e4, -1e4, -1e4],
    ];

    private static OpCase EdgeAct(string name, string kernel, DType d, double[] e, Action<IBackend, Tensor[], Tensor[]> run, Func<double, double, double> f) => new()
    {
        Name = $"{name} {d.Name()} edges (±0, NaN, ±∞, denormals)", Kernel = $"{kernel}_{Sfx(d)}", Kind = OpKind.Elementwise, DType = d, Floor = Normal(d),
        Inputs = g => [Make(e, [e.Length], d), NonZero(g, [e.Length], d)],
        Outputs = i => [Unwritten(i[0], [e.Length])],
        Execute = run,
        Reference = x => [Map(x[0], x[1], (v, dy) => Stored(f(v, dy), d))],
    };
}
