namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private static IEnumerable<OpCase> Pool(Sizes s)
    {
        foreach (var d in Floats)
            foreach (var w in Windows(s))
            {
                yield return new OpCase
                {
                    Name = $"MaxPool2d {d.Name()} {w}", Kernel = "max_pool2d_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                    Inputs = g => [NonZero(g, w.X, d)],
                    Outputs = i => [Unwritten(i[0], w.Y), Unwritten(i[0], w.Y, DType.Int32)],
                    Execute = (b, i, o) => b.MaxPool2d(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0], o[1]),
                    Reference = x => { var (y, arg) = MaxPoolRef(x[0], w); return [y, arg]; },
                };
                yield return new OpCase
                {
                    Name = $"MaxPool2dBackward {d.Name()} {w}", Kernel = "max_pool2d_backward_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g =>
                    {
                        using var x = NonZero(g, w.X, d);
                        var (_, arg) = MaxPoolRef(x.ToDoubleArray(), w);
                        return [NonZero(g, w.Y, d), Make(arg, w.Y, DType.Int32)];
                    },
                    Outputs = i => [Unwritten(i[0], w.X)],
                    Execute = (b, i, o) => b.MaxPool2dBackward(i[0], i[1], o[0]),
                    Reference = x =>
                    {
                        var dx = new double[w.N * w.C * w.H * w.W];
                        int plane = w.OH * w.OW;
                        for (int t = 0; t < x[0].Length; t++) dx[(long)(t / plane) * w.H * w.W + (int)x[1][t]] += x[0][t];
                        return [dx];
                    },
                };
                yield return new OpCase
                {
                    Name = $"MaxPool2dBackward {d.Name()} {w} deterministic", Kernel = "max_pool2d_backward_deterministic_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                    Inputs = g =>
                    {
                        using var x = SmallInts(g, w.X, d, 2);
                        var (_, arg) = MaxPoolRef(x.ToDoubleArray(), w);
                        return [NonZero(g, w.Y, d), Make(arg, w.Y, DType.Int32)];
                    },
                    Outputs = i => [Unwritten(i[0], w.X)],
                    Execute = (b, i, o) => Deterministically(() => b.MaxPool2dBackward(i[0], i[1], o[0])),
                    // The deterministic path adds each plane's dy in order in the op's precision: the same bits as this sum.
                    Reference = x =>
                    {
                        var dx = new double[w.N * w.C * w.H * w.W];
                        int plane = w.OH * w.OW;
                        for (int t = 0; t < x[0].Length; t++)
                        {
                            long at = (long)(t / plane) * w.H * w.W + (int)x[1][t];
                            dx[at] = Round(dx[at] + x[0][t], d);
                        }
                        return [dx];
                    },
                };
                yield return new OpCase
                {
                    Name = $"AvgPool2d {d.Name()} {w}", Kernel = "avg_pool2d_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [NonZero(g, w.X, d)],
                    Outputs = i => [Unwritten(i[0], w.Y)],
                    Execute = (b, i, o) => b.AvgPool2d(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0]),
                    Reference = x => [AvgPoolRef(x[0], w)],
                };
                yield return new OpCase
                {
                    Name = $"AvgPool2dBackward {d.Name()} {w}", Kernel = "avg_pool2d_backward_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [NonZero(g, w.Y, d)],
                    Outputs = i => [Unwritten(i[0], w.X)],
                    Execute = (b, i, o) => b.AvgPool2dBackward(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0]),
                    Reference = x =>
                    {
                        var dx = new double[w.N * w.C * w.H * w.W];
                        ForEachWindow(w, (nc, oh, ow, hh, ww) => dx[(long)nc * w.H * w.W + hh * w.W + ww] += x[0][((long)nc * w.OH + oh) * w.OW + ow] / (w.KH * w.KW));
                        return [dx];
                    },
                };
            }
    }

    internal static (double[] Y, double[] ArgMax) MaxPoolRef(double[] x, Window w)
    {
        var y = Enumerable.Repeat(double.NegativeInfinity, w.N * w.C * w.OH * w.OW).ToArray();
        var arg = Enumerable.Repeat(-1.0, y.Length).ToArray();
        ForEachWindow(w, (nc, oh, ow, hh, ww) =>
        {
            long o = ((long)nc * w.OH + oh) * w.OW + ow;
            double v = x[(long)nc * w.H * w.W + hh * w.W + ww];
            if (arg[o] < 0 || BeatsRef(v, y[o])) { y[o] = v; arg[o] = hh * w.W + ww; }
        });
        return (y, arg);
    }

    internal static double[] AvgPoolRef(double[] x, Window w)
    {
        var y = new double[w.N * w.C * w.OH * w.OW];
        ForEachWindow(w, (nc, oh, ow, hh, ww) => y[((long)nc * w.OH + oh) * w.OW + ow] += x[(long)nc * w.H * w.W + hh * w.W + ww]);
        return Map(y, v => v / (w.KH * w.KW));
    }
}
