namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private static IEnumerable<OpCase> Linear(Sizes s)
    {
        var (m, k, n, batch) = s.Gemm;
        foreach (var d in Floats)
        {
            (bool TA, bool TB, double Alpha, double Beta, int Batch)[] variants =
            [
                (false, false, 1, 0, 1), (false, true, 1, 0, 1), (true, false, 1, 0, 1), (true, true, 1, 0, 1),
                (false, false, 0.5, 2, 1), (false, false, 1, 0, batch), (true, true, 1, 0, batch),
            ];
            foreach (var (ta, tb, alpha, beta, bt) in variants)
            {
                int[] sa = ta ? [k, m] : [m, k], sb = tb ? [n, k] : [k, n], sc = [m, n];
                if (bt > 1) { sa = [bt, .. sa]; sb = [bt, .. sb]; sc = [bt, .. sc]; }
                yield return new OpCase
                {
                    Name = $"MatMul {d.Name()} {Tensor.ShapeString(sa)}{(ta ? "ᵀ" : "")}·{Tensor.ShapeString(sb)}{(tb ? "ᵀ" : "")}{(beta != 0 ? $" α={alpha} β={beta}" : "")}",
                    Kernel = d == DType.Float32 ? (bt > 1 ? "cublasSgemmStridedBatched" : "cublasSgemm") : (bt > 1 ? "cublasDgemmStridedBatched" : "cublasDgemm"),
                    Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [NonZero(g, sa, d), NonZero(g, sb, d), NonZero(g, sc, d)],
                    // beta = 0: C is not read, so it may hold anything (a MatMul output comes from AllocateUninitialized).
                    Outputs = i => [beta == 0 ? Unwritten(i[2], sc) : i[2].Clone()],
                    Execute = (b, i, o) => b.MatMul(i[0], i[1], o[0], ta, tb, alpha, beta),
                    Reference = x => [GemmRef(x[0], x[1], x[2], bt, m, n, k, ta, tb, alpha, beta)],
                    Flops = 2.0 * m * n * k * bt,
                };
            }
            // An empty inner dimension: C = 0 with beta = 0 even over an uninitialised C (CUDA launches no GEMM here).
            yield return new OpCase
            {
                Name = $"MatMul {d.Name()} [{m}, 0]·[0, {n}]", Kernel = "fill_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                Inputs = _ => [Tensor.Zeros([m, 0], d), Tensor.Zeros([0, n], d)],
                Outputs = i => [Unwritten(i[0], [m, n])],
                Execute = (b, i, o) => b.MatMul(i[0], i[1], o[0]),
                Reference = _ => [new double[m * n]],
            };
        }
    }

    internal static double[] GemmRef(double[] a, double[] b, double[] c0, int batch, int m, int n, int k, bool ta, bool tb, double alpha, double beta)
    {
        var c = new double[batch * m * n];
        for (int z = 0; z < batch; z++)
        {
            long ao = (long)z * m * k, bo = (long)z * k * n, co = (long)z * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (int p = 0; p < k; p++)
                        acc += a[ao + (ta ? (long)p * m + i : (long)i * k + p)] * b[bo + (tb ? (long)j * k + p : (long)p * n + j)];
                    c[co + i * n + j] = alpha * acc + (beta == 0 ? 0 : beta * c0[co + i * n + j]);
                }
        }
        return c;
    }
}
