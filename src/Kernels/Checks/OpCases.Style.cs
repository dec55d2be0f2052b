namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    /// <summary>Total variation forward and backward on images [N, C, H, W] (H, W ≥ 2 and a plane wider than a block).</summary>
    private static IEnumerable<OpCase> Style(Sizes s)
    {
        int[][] shapes = [s.Image, [1, 3, 5, 301]];
        foreach (var d in Floats)
            foreach (var shape in shapes)
            {
                int n = shape[0];
                yield return new OpCase
                {
                    Name = $"TotalVariation {d.Name()} {Tensor.ShapeString(shape)}", Kernel = "total_variation_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [NonZero(g, shape, d)],
                    Outputs = i => [Unwritten(i[0], [n])],
                    Execute = (b, i, o) => b.TotalVariation(i[0], o[0]),
                    Reference = x => [TotalVariationRef(x[0], shape).Loss],
                };
                yield return new OpCase
                {
                    Name = $"TotalVariationBackward {d.Name()} {Tensor.ShapeString(shape)}", Kernel = "total_variation_backward_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [NonZero(g, shape, d), NonZero(g, [n], d)],
                    Outputs = i => [Unwritten(i[0], shape)],
                    Execute = (b, i, o) => b.TotalVariationBackward(i[0], i[1], o[0]),
                    Reference = x =>
                    {
                        var dx = TotalVariationRef(x[0], shape).Dx;
                        long image = dx.Length / n;
                        for (long t = 0; t < dx.Length; t++) dx[t] *= x[1][t / image];
                        return [dx];
                    },
                };
            }
    }

    /// <summary>
    /// Chollet's formula as written: per plane, a = (x[:−1, :−1] − x[1:, :−1])², b = (x[:−1, :−1] − x[:−1, 1:])²,
    /// loss[n] = Σ (a + b)^1.25 (Math.Pow); dx by scattering each term's derivative to its three pixels.
    /// </summary>
    internal static (double[] Loss, double[] Dx) TotalVariationRef(double[] x, int[] shape)
    {
        int n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        var loss = new double[n];
        var dx = new double[x.Length];
        for (int img = 0; img < n; img++)
            for (int ch = 0; ch < c; ch++)
            {
                long o = ((long)img * c + ch) * h * w;
                for (int i = 0; i < h - 1; i++)
                    for (int j = 0; j < w - 1; j++)
                    {
                        long p = o + (long)i * w + j, down = p + w, right = p + 1;
                        double da = x[p] - x[down], db = x[p] - x[right], sum = da * da + db * db;
                        loss[img] += Math.Pow(sum, 1.25);
                        double k = 1.25 * Math.Pow(sum, 0.25);
                        dx[p] += k * (2 * da + 2 * db);
                        dx[down] -= k * 2 * da;
                        dx[right] -= k * 2 * db;
                    }
            }
        return (loss, dx);
    }
}
