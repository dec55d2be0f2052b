namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private static IEnumerable<OpCase> Optim(Sizes s)
    {
        int[] shape = [s.N];
        foreach (var d in Floats)
        {
            // R rounds to the op's precision after every operation, in the CPU twin's order, so the
            // float32 reference makes the same roundings (kernels.cu is built with -fmad=false).
            double R(double v) => d == DType.Float32 ? (float)v : v;
            yield return Update("SgdUpdate lr=0.1 wd=0.01", "sgd_update", d, shape, 0,
                (b, i, o) => b.SgdUpdate(o[0], i[1], 0.1, 0.01),
                (p, g, _) => p[0] = R(p[0] - R(R(0.1) * R(g + R(R(0.01) * p[0])))));
            foreach (bool nesterov in new[] { false, true })
                yield return Update($"MomentumUpdate lr=0.1 μ=0.9{(nesterov ? " nesterov" : "")}", "momentum_update", d, shape, 1,
                    (b, i, o) => b.MomentumUpdate(o[0], i[1], o[1], 0.1, 0.9, nesterov, 0.001),
                    (p, g, _) =>
                    {
                        double gi = R(g + R(R(0.001) * p[0]));
                        p[1] = R(R(R(0.9) * p[1]) + gi);
                        p[0] = R(p[0] - R(R(0.1) * (nesterov ? R(gi + R(R(0.9) * p[1])) : p[1])));
                    });
            yield return Update("AdaGradUpdate lr=0.01", "adagrad_update", d, shape, 1,
                (b, i, o) => b.AdaGradUpdate(o[0], i[1], o[1], 0.01, 1e-7),
                (p, g, _) =>
                {
                    p[1] = R(p[1] + R(g * g));
                    p[0] = R(p[0] - R(R(R(0.01) * g) / R(R(Math.Sqrt(p[1])) + R(1e-7))));
                });
            yield return Update("RmsPropUpdate lr=0.01 ρ=0.99", "rmsprop_update", d, shape, 1,
                (b, i, o) => b.RmsPropUpdate(o[0], i[1], o[1], 0.01, 0.99, 1e-7),
                (p, g, _) =>
                {
                    p[1] = R(R(R(0.99) * p[1]) + R(R(R(1 - R(0.99)) * g) * g));
                    p[0] = R(p[0] - R(R(R(0.01) * g) / R(R(Math.Sqrt(p[1])) + R(1e-7))));
                });
            const int step = 3;
            double c1 = R(1 - Math.Pow(0.9, step)), c2 = R(1 - Math.Pow(0.999, step));
            yield return Update("AdamUpdate lr=0.001 step 3", "adam_update", d, shape, 2,
                (b, i, o) => b.AdamUpdate(o[0], i[1], o[1], o[2], 0.001, 0.9, 0.999, 1e-8, step),
                (p, g, _) =>
                {
                    p[1] = R(R(R(0.9) * p[1]) + R(R(1 - R(0.9)) * g));
                    p[2] = R(R(R(0.999) * p[2]) + R(R(R(1 - R(0.999)) * g) * g));
                    p[0] = R(p[0] - R(R(R(0.001) * R(p[1] / c1)) / R(R(Math.Sqrt(R(p[2] / c2))) + R(1e-8))));
                });
        }
    }

    /// <summary>
    /// An in-place update case: inputs param, grad and <paramref name="states"/> state tensors (positive);
    /// outputs are copies of param and states, updated by the op; the reference applies
    /// <paramref name="f"/>(values [p, s1, s2], g, i) per element.
    /// </summary>
    private static OpCase Update(string name, string kernel, DType d, int[] shape, int states, Action<IBackend, Tensor[], Tensor[]> run, Action<double[], double, int> f) => new()
    {
        Name = $"{name.Split(' ')[0]} {d.Name()} [{shape[0]}]{name[name.IndexOf(' ')..]}", Kernel = $"{kernel}_{Sfx(d)}", Kind = OpKind.Elementwise, DType = d,
        Inputs = g => [NonZero(g, shape, d), NonZero(g, shape, d), .. Enumerable.Range(0, states).Select(_ => Uniform(g, shape, d, 0.1, 1))],
        Outputs = i => [i[0].Clone(), .. i.Skip(2).Select(t => t.Clone())],
        Execute = run,
        Reference = x =>
        {
            var outs = new double[1 + states][];
            outs[0] = (double[])x[0].Clone();
            for (int k = 0; k < states; k++) outs[1 + k] = (double[])x[2 + k].Clone();
            var v = new double[1 + states];
            for (int i = 0; i < x[0].Length; i++)
            {
                for (int k = 0; k <= states; k++) v[k] = outs[k][i];
                f(v, x[1][i], i);
                for (int k = 0; k <= states; k++) outs[k][i] = v[k];
            }
            return outs;
        },
    };
}
