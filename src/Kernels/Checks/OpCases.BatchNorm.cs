namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private const double Momentum = 0.1, Eps = 1e-5;

    private static IEnumerable<OpCase> BatchNorm(Sizes s)
    {
        int[][] shapes = [[s.Norm[0], s.Norm[1], s.Norm[2] * s.Norm[3]], [37, 13, 1]];
        foreach (var d in Floats)
            foreach (var shape in shapes)
            {
                int n = shape[0], c = shape[1], sp = (int)(Tensor.SizeOf(shape) / (n * c));
                foreach (bool training in new[] { true, false })
                    yield return new OpCase
                    {
                        Name = $"BatchNorm {d.Name()} {Tensor.ShapeString(shape)} {(training ? "training" : "eval")}",
                        Kernel = (training ? "batch_norm_stats_" : "batch_norm_running_") + Sfx(d) + " + batch_norm_forward_" + Sfx(d),
                        Kind = OpKind.Reduction, DType = d,
                        Inputs = g => [NonZero(g, shape, d, 0.1, 3), NonZero(g, [c], d), NonZero(g, [c], d), NonZero(g, [c], d), Uniform(g, [c], d)],
                        Outputs = i => [Unwritten(i[0], shape), i[3].Clone(), i[4].Clone(), Unwritten(i[0], [c]), Unwritten(i[0], [c])],
                        Execute = (b, i, o) => b.BatchNorm(i[0], i[1], i[2], o[1], o[2], training, Momentum, Eps, o[0], o[3], o[4]),
                        Reference = x => BatchNormRef(x, n, c, sp, training),
                    };
                yield return new OpCase
                {
                    Name = $"BatchNormBackward {d.Name()} {Tensor.ShapeString(shape)}",
                    Kernel = "batch_norm_backward_reduce_" + Sfx(d) + " + batch_norm_backward_dx_" + Sfx(d),
                    Kind = OpKind.Reduction, DType = d,
                    Inputs = g =>
                    {
                        var x = NonZero(g, shape, d, 0.1, 3);
                        var stats = BatchNormRef([x.ToDoubleArray(), new double[c], new double[c], new double[c], new double[c]], n, c, sp, true);
                        return [x, NonZero(g, shape, d), NonZero(g, [c], d), Make(stats[3], [c], d), Make(stats[4], [c], d)];
                    },
                    Outputs = i => [Unwritten(i[0], shape), Unwritten(i[0], [c]), Unwritten(i[0], [c])],
                    Execute = (b, i, o) => b.BatchNormBackward(i[0], i[1], i[2], i[3], i[4], o[0], o[1], o[2]),
                    Reference = x => BatchNormBackwardRef(x, n, c, sp),
                };
            }
    }

    /// <summary>Inputs x, γ, β, running mean, running var → y, running mean', running var', batch mean, 1/√(var+ε).</summary>
    internal static double[][] BatchNormRef(double[][] inp, int n, int c, int s, bool training)
    {
        double[] x = inp[0], gamma = inp[1], beta = inp[2];
        double[] rm = (double[])inp[3].Clone(), rv = (double[])inp[4].Clone();
        var y = new double[x.Length];
        var mean = new double[c];
        var inv = new double[c];
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            var vals = Enumerable.Range(0, m).Select(k => x[((long)(k / s) * c + ch) * s + k % s]).ToArray();
            double mu, var;
            if (training)
            {
                mu = vals.Average();
                var = vals.Sum(v => (v - mu) * (v - mu)) / m;
                rm[ch] = (1 - Momentum) * rm[ch] + Momentum * mu;
                rv[ch] = (1 - Momentum) * rv[ch] + Momentum * var * m / (m - 1);
            }
            else
            {
                mu = rm[ch];
                var = rv[ch];
            }
            mean[ch] = mu;
            inv[ch] = 1 / Math.Sqrt(var + Eps);
            for (int k = 0; k < m; k++)
            {
                long o = ((long)(k / s) * c + ch) * s + k % s;
                y[o] = gamma[ch] * (x[o] - mu) * inv[ch] + beta[ch];
            }
        }
        return [y, rm, rv, mean, inv];
    }

    /// <summary>Inputs x, dy, γ, mean, 1/σ → dx, dγ, dβ.</summary>
    internal static double[][] BatchNormBackwardRef(double[][] inp, int n, int c, int s)
    {
        double[] x = inp[0], dy = inp[1], gamma = inp[2], mean = inp[3], inv = inp[4];
        var dx = new double[x.Length];
        var dgamma = new double[c];
        var dbeta = new double[c];
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            for (int k = 0; k < m; k++)
            {
                long o = ((long)(k / s) * c + ch) * s + k % s;
                dbeta[ch] += dy[o];
                dgamma[ch] += dy[o] * (x[o] - mean[ch]) * inv[ch];
            }
            for (int k = 0; k < m; k++)
            {
                long o = ((long)(k / s) * c + ch) * s + k % s;
                double xh = (x[o] - mean[ch]) * inv[ch];
                dx[o] = gamma[ch] * inv[ch] / m * (m * dy[o] - dbeta[ch] - xh * dgamma[ch]);
            }
        }
        return [dx, dgamma, dbeta];
    }
}
