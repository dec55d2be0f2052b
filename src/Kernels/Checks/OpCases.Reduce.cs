namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private static IEnumerable<OpCase> Reduce(Sizes s)
    {
        int[] shape = s.Reduce;
        foreach (var d in Floats)
        {
            foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Mean, ReduceOp.Max, ReduceOp.Min })
                for (int axis = 0; axis < shape.Length; axis++)
                {
                    int ax = axis;
                    var keep = (int[])shape.Clone();
                    keep[ax] = 1;
                    yield return new OpCase
                    {
                        Name = $"Reduce.{op} {d.Name()} {Tensor.ShapeString(shape)} axis {ax}", Kernel = $"reduce_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                        Kind = op is ReduceOp.Max or ReduceOp.Min ? OpKind.Exact : OpKind.Reduction, DType = d,
                        // Positive values for sums (no cancellation), signed for max/min.
                        Inputs = g => [op is ReduceOp.Sum or ReduceOp.Mean ? Uniform(g, shape, d) : NonZero(g, shape, d)],
                        Outputs = i => [Unwritten(i[0], keep)],
                        Execute = (b, i, o) => b.Reduce(op, i[0], ax, o[0]),
                        Reference = x => [ReduceRef(x[0], shape, ax, op)],
                    };
                }
            foreach (var (axis, ties) in new[] { (1, false), (2, false), (1, true) })
            {
                var outShape = shape.Where((_, i) => i != axis).ToArray();
                yield return new OpCase
                {
                    Name = $"ArgMax {d.Name()} {Tensor.ShapeString(shape)} axis {axis}{(ties ? " (ties: first wins)" : "")}", Kernel = "argmax_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                    Inputs = g => [ties ? SmallInts(g, shape, d, 5) : NonZero(g, shape, d)],
                    Outputs = i => [Unwritten(i[0], outShape, DType.Int32)],
                    Execute = (b, i, o) => b.ArgMax(i[0], axis, o[0]),
                    Reference = x => [ArgMaxRef(x[0], shape, axis)],
                };
            }
        }

        const int rows = 57, width = 19, count = 83;
        foreach (var d in new[] { DType.Float32, DType.Float64, DType.Int32 })
            yield return new OpCase
            {
                Name = $"IndexSelect {d.Name()} [{rows}, {width}] by {count} indices", Kernel = "index_select_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                Inputs = g => [d.IsFloat() ? NonZero(g, [rows, width], d) : SmallInts(g, [rows, width], d, 1000), Labels(g, count, rows, DType.Int32)],
                Outputs = i => [Unwritten(i[0], [count, width])],
                Execute = (b, i, o) => b.IndexSelect(i[0], i[1], o[0]),
                Reference = x => [Enumerable.Range(0, count * width).Select(t => x[0][(int)x[1][t / width] * width + t % width]).ToArray()],
            };
        foreach (var d in Floats)
            yield return new OpCase
            {
                Name = $"IndexAdd {d.Name()} {count} rows into [{rows}, {width}]", Kernel = "index_add_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                Inputs = g => [NonZero(g, [count, width], d), Labels(g, count, rows, DType.Int32)],
                Outputs = i => [Zeros(i[0], [rows, width])],
                Execute = (b, i, o) => b.IndexAdd(i[0], i[1], o[0]),
                Reference = x =>
                {
                    var y = new double[rows * width];
                    for (int i = 0; i < count; i++)
                        for (int j = 0; j < width; j++) y[(int)x[1][i] * width + j] += x[0][i * width + j];
                    return [y];
                },
            };
        foreach (var d in Floats)
            yield return new OpCase
            {
                Name = $"IndexAdd {d.Name()} {3 * rows} rows into [{rows}, {width}] deterministic", Kernel = "index_add_deterministic_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                // Repeated indices (3·rows draws of 0..rows−1), so rows of y get several terms.
                Inputs = g => [NonZero(g, [3 * rows, width], d), Labels(g, 3 * rows, rows, DType.Int32)],
                Outputs = i => [Zeros(i[0], [rows, width])],
                Execute = (b, i, o) => Deterministically(() => b.IndexAdd(i[0], i[1], o[0])),
                // The deterministic path adds in index order in the op's precision: the same bits as this sum.
                Reference = x =>
                {
                    var y = new double[rows * width];
                    for (int i = 0; i < 3 * rows; i++)
                        for (int j = 0; j < width; j++) y[(int)x[1][i] * width + j] = Round(y[(int)x[1][i] * width + j] + x[0][i * width + j], d);
                    return [y];
                },
            };
        foreach (var (d, ld) in new[] { (DType.Float32, DType.Int32), (DType.Float64, DType.Int64), (DType.Float32, DType.Int64) })
            yield return new OpCase
            {
                Name = $"OneHot {ld.Name()}→{d.Name()} [101] × 10", Kernel = "one_hot_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                Inputs = g => [Labels(g, 101, 10, ld)],
                Outputs = i => [Unwritten(i[0], [101, 10], d)],
                Execute = (b, i, o) => b.OneHot(i[0], o[0]),
                Reference = x => [Enumerable.Range(0, 1010).Select(t => x[0][t / 10] == t % 10 ? 1.0 : 0.0).ToArray()],
            };
    }

    internal static double[] ReduceRef(double[] x, int[] shape, int axis, ReduceOp op)
    {
        var (outer, n, inner) = View(shape, axis);
        var y = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                var vals = Enumerable.Range(0, n).Select(k => x[((long)o * n + k) * inner + i]);
                // Max and min as PyTorch: NaN when any value is NaN.
                y[o * inner + i] = op switch
                {
                    ReduceOp.Sum => vals.Sum(),
                    ReduceOp.Mean => vals.Average(),
                    _ when vals.Any(double.IsNaN) => double.NaN,
                    ReduceOp.Max => vals.Max(),
                    _ => vals.Min(),
                };
            }
        return y;
    }

    /// <summary>Whether v replaces the best so far in argmax and max pooling: larger, or NaN over a number (PyTorch: the first NaN wins).</summary>
    internal static bool BeatsRef(double v, double best) => v > best || (double.IsNaN(v) && !double.IsNaN(best));

    internal static double[] ArgMaxRef(double[] x, int[] shape, int axis)
    {
        var (outer, n, inner) = View(shape, axis);
        var y = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                for (int k = 1; k < n; k++)
                    if (BeatsRef(x[((long)o * n + k) * inner + i], x[((long)o * n + best) * inner + i])) best = k;
                y[o * inner + i] = best;
            }
        return y;
    }
}
