namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private static IEnumerable<OpCase> FillCopyCast(Sizes s)
    {
        int[] shape = [s.N];
        foreach (var d in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64 })
        {
            double value = d.IsFloat() ? 2.5 : 7;
            yield return new OpCase
            {
                Name = $"Fill {d.Name()} [{s.N}]", Kernel = "fill_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                Inputs = g => [NonZero(g, [1], DType.Float32)],
                Outputs = i => [Unwritten(i[0], shape, d)],
                Execute = (b, i, o) => b.Fill(o[0], value),
                Reference = _ => [Enumerable.Repeat(value, s.N).ToArray()],
                Bytes = (_, o) => o[0].Size * d.SizeOf(),
            };
        }
        foreach (var d in Floats)
            yield return new OpCase
            {
                Name = $"Copy {d.Name()} [{s.N}]", Kernel = "cuMemcpyDtoDAsync", Kind = OpKind.Exact, DType = d,
                Inputs = g => [NonZero(g, shape, d)],
                Outputs = i => [Unwritten(i[0], shape)],
                Execute = (b, i, o) => b.Copy(i[0], o[0]),
                Reference = x => [x[0]],
            };
        (DType From, DType To, OpKind Kind)[] casts =
        [
            (DType.Float32, DType.Float64, OpKind.Elementwise), (DType.Float64, DType.Float32, OpKind.Elementwise),
            (DType.Float32, DType.Int32, OpKind.Exact), (DType.Float64, DType.Int64, OpKind.Exact),
            (DType.Int32, DType.Float32, OpKind.Exact), (DType.Int64, DType.Float64, OpKind.Exact),
            (DType.Int32, DType.Int64, OpKind.Exact), (DType.Int64, DType.Int32, OpKind.Exact),
        ];
        foreach (var (from, to, kind) in casts)
            yield return new OpCase
            {
                Name = $"Cast {from.Name()}→{to.Name()} [{s.N}]", Kernel = $"cast_{Sfx(from)}_{Sfx(to)}", Kind = kind, DType = to,
                // Floats → integers: values of both signs with any fraction, truncated toward zero.
                Inputs = g => [from.IsFloat() && !to.IsFloat() ? Make(Map(new double[s.N], _ => (g.NextInt(2001) - 1000) + (g.NextDouble() - 0.5) * 1.98), shape, from)
                               : from.IsFloat() ? NonZero(g, shape, from, 0.1, 100) : SmallInts(g, shape, from, 100_000)],
                Outputs = i => [Unwritten(i[0], shape, to)],
                Execute = (b, i, o) => b.Cast(i[0], o[0]),
                Reference = x => [to switch
                {
                    DType.Float32 => Map(x[0], v => (float)v),
                    DType.Float64 => x[0],
                    _ => Map(x[0], Math.Truncate),
                }],
            };
    }

    private static readonly (UnaryOp Op, Func<double, double> F, bool Positive)[] UnaryOps =
    [
        (UnaryOp.Neg, x => -x, false), (UnaryOp.Exp, Math.Exp, false), (UnaryOp.Log, Math.Log, true),
        (UnaryOp.Sqrt, Math.Sqrt, true), (UnaryOp.Abs, Math.Abs, false), (UnaryOp.Square, x => x * x, false),
        (UnaryOp.Relu, x => x <= 0 ? 0 : x, false), (UnaryOp.Sigmoid, x => 1 / (1 + Math.Exp(-x)), false),
        (UnaryOp.Tanh, Math.Tanh, false), (UnaryOp.Sign, x => Math.Sign(x), false),
        (UnaryOp.RoundFloat16, x => RoundToFormat((float)x, 10, -14, 65504), false),
        (UnaryOp.RoundBFloat16, x => RoundToFormat((float)x, 7, -126, BFloat16Max), false),
    ];

    private const double BFloat16Max = 3.3895313892515355e38; // (2 − 2^−7) · 2^127

    /// <summary>
    /// v rounded to a binary format with <paramref name="mantissaBits"/> stored mantissa bits and smallest
    /// normal exponent <paramref name="minExponent"/> (spacing 2^(e − mantissaBits), fixed below the normal
    /// range), ties to even, ±∞ beyond <paramref name="max"/>: the formula the rounding kernels are checked against.
    /// </summary>
    internal static double RoundToFormat(double v, int mantissaBits, int minExponent, double max)
    {
        if (v == 0 || !double.IsFinite(v)) return v;
        double q = Math.ScaleB(1.0, Math.Max(Math.ILogB(v), minExponent) - mantissaBits);
        double r = Math.Round(v / q, MidpointRounding.ToEven) * q;
        return Math.Abs(r) > max ? Math.CopySign(double.PositiveInfinity, v) : r;
    }

    /// <summary>Values where 16-bit rounding goes wrong first: ties, subnormals, the overflow edge.</summary>
    private static readonly double[] RoundingEdges =
    [
        1 + Math.ScaleB(1, -11), 1 + 3 * Math.ScaleB(1, -11), 1 + Math.ScaleB(1, -8), 1 + 3 * Math.ScaleB(1, -8), -(1 + 3 * Math.ScaleB(1, -8)),
        7e-8, -7e-8, Math.ScaleB(1, -25), 3 * Math.ScaleB(1, -25), 5 * Math.ScaleB(1, -25), -1e-8, Math.ScaleB(1, -14) - Math.ScaleB(1, -26), 6.1e-5, -2.5e-5,
        65504, 65519, 65520, -70000, 1e30, 3.39e38, 3.4e38, 3.14159265, 1e-40,
    ];

    private static readonly (BinaryOp Op, Func<double, double, double> F)[] BinaryOps =
    [
        (BinaryOp.Add, (a, b) => a + b), (BinaryOp.Sub, (a, b) => a - b), (BinaryOp.Mul, (a, b) => a * b),
        (BinaryOp.Div, (a, b) => a / b), (BinaryOp.Pow, Math.Pow), (BinaryOp.Maximum, Math.Max),
        (BinaryOp.Minimum, Math.Min), (BinaryOp.Greater, (a, b) => a > b ? 1 : 0), (BinaryOp.Equal, (a, b) => a == b ? 1 : 0),
    ];

    /// <summary>Operands suited to an op: positive bases for Pow, small integers for Greater/Equal.</summary>
    private static Tensor Operand(BinaryOp op, Generator g, int[] shape, DType d, bool first) => op switch
    {
        BinaryOp.Pow when first => Uniform(g, shape, d),
        BinaryOp.Greater or BinaryOp.Equal => SmallInts(g, shape, d),
        _ => NonZero(g, shape, d),
    };

    private static IEnumerable<OpCase> Elementwise(Sizes s)
    {
        int[] shape = [s.N];
        foreach (var d in Floats)
        {
            foreach (var (op, f, positive) in UnaryOps)
                yield return new OpCase
                {
                    Name = $"Unary.{op} {d.Name()} [{s.N}]", Kernel = $"unary_{op.ToString().ToLowerInvariant()}_{Sfx(d)}", Kind = OpKind.Elementwise, DType = d,
                    Inputs = g => [positive ? Uniform(g, shape, d, 0.05, 4) : NonZero(g, shape, d)],
                    Outputs = i => [Unwritten(i[0], shape)],
                    Execute = (b, i, o) => b.Unary(op, i[0], o[0]),
                    Reference = x => [Map(x[0], f)],
                };

            foreach (var (op, f, _) in UnaryOps.Where(u => u.Op is UnaryOp.RoundFloat16 or UnaryOp.RoundBFloat16))
                yield return new OpCase
                {
                    Name = $"Unary.{op} {d.Name()} ties, subnormals, overflow", Kernel = $"unary_{op.ToString().ToLowerInvariant()}_{Sfx(d)}", Kind = OpKind.Exact, DType = d,
                    Inputs = _ => [Make(RoundingEdges, [RoundingEdges.Length], d)],
                    Outputs = i => [Unwritten(i[0], [RoundingEdges.Length])],
                    Execute = (b, i, o) => b.Unary(op, i[0], o[0]),
                    Reference = x => [Map(x[0], f)],
                };

            int rows = s.Rows[0][0], cols = s.Rows[0][1];
            (int[] A, int[] B)[] shapes = [([s.N], [s.N]), ([rows, cols], [cols]), ([rows, 1], [1, cols]), ([5, 1, 7], [3, 1])];
            foreach (var (op, f) in BinaryOps)
                foreach (var (sa, sb) in shapes)
                {
                    if (op is not (BinaryOp.Add or BinaryOp.Mul or BinaryOp.Sub or BinaryOp.Div) && sa.Length > 1) continue;
                    int[] sy = Tensor.BroadcastShape("check", sa, sb);
                    yield return new OpCase
                    {
                        Name = $"Binary.{op} {d.Name()} {Tensor.ShapeString(sa)}·{Tensor.ShapeString(sb)}", Kernel = $"binary_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                        Kind = OpKind.Elementwise, DType = d,
                        Inputs = g => [Operand(op, g, sa, d, true), Operand(op, g, sb, d, false)],
                        Outputs = i => [Unwritten(i[0], sy)],
                        Execute = (b, i, o) => b.Binary(op, i[0], i[1], o[0]),
                        Reference = x => [BroadcastRef(x[0], sa, x[1], sb, sy, f)],
                    };
                }

            (BinaryOp Op, double S, bool First)[] scalars =
            [
                (BinaryOp.Add, 0.75, false), (BinaryOp.Sub, 1.5, true), (BinaryOp.Mul, -1.25, false), (BinaryOp.Div, 3, true),
                (BinaryOp.Pow, 2.5, false), (BinaryOp.Maximum, 0.3, false), (BinaryOp.Minimum, -0.3, false), (BinaryOp.Greater, 0.2, false),
                (BinaryOp.Equal, 2, false),
            ];
            foreach (var (op, sc, first) in scalars)
            {
                var f = BinaryOps.First(o => o.Op == op).F;
                yield return new OpCase
                {
                    Name = $"BinaryScalar.{op} {d.Name()} {(first ? $"{sc} ∘ x" : $"x ∘ {sc}")}", Kernel = $"binary_scalar_{op.ToString().ToLowerInvariant()}_{Sfx(d)}",
                    Kind = OpKind.Elementwise, DType = d,
                    Inputs = g => [Operand(op, g, shape, d, true)],
                    Outputs = i => [Unwritten(i[0], shape)],
                    Execute = (b, i, o) => b.BinaryScalar(op, i[0], sc, o[0], first),
                    Reference = x => [Map(x[0], v => d == DType.Float32 ? (first ? f((float)sc, v) : f(v, (float)sc)) : (first ? f(sc, v) : f(v, sc)))],
                };
            }

            yield return Act("ReluBackward", "relu_backward", d, s.N, g => NonZero(g, shape, d), (b, i, o) => b.ReluBackward(i[0], i[1], o[0]), (x, dy) => x > 0 ? dy : 0);
            yield return Act("SigmoidBackward", "sigmoid_backward", d, s.N, g => Uniform(g, shape, d, 0.05, 0.95), (b, i, o) => b.SigmoidBackward(i[0], i[1], o[0]), (y, dy) => dy * y * (1 - y));
            yield return Act("TanhBackward", "tanh_backward", d, s.N, g => NonZero(g, shape, d, 0.05, 0.95), (b, i, o) => b.TanhBackward(i[0], i[1], o[0]), (y, dy) => dy * (1 - y * y));
            double scale = 1 / (1 - 0.3);
            yield return new OpCase
            {
                Name = $"Dropout {d.Name()} [{s.N}] p=0.3", Kernel = "dropout_" + Sfx(d), Kind = OpKind.Elementwise, DType = d,
                Inputs = g => [NonZero(g, shape, d), Make(Map(new double[s.N], _ => g.NextDouble() < 0.3 ? 0 : 1), shape, d)],
                Outputs = i => [Unwritten(i[0], shape)],
                Execute = (b, i, o) => b.Dropout(i[0], i[1], scale, o[0]),
                Reference = x => [Map(x[0], x[1], (v, m) => v * m * (d == DType.Float32 ? (float)scale : scale))],
            };
        }

        (int[] Shape, int[] Perm, DType D)[] perms =
        [
            ([7, 11, 13], [2, 0, 1], DType.Float32), ([3, 5, 7, 9], [0, 2, 3, 1], DType.Float32),
            ([3, 5, 7, 9], [3, 1, 0, 2], DType.Float64), ([13, 17], [1, 0], DType.Int64), ([13, 17], [1, 0], DType.Int32),
        ];
        foreach (var (ps, perm, d) in perms)
        {
            var ys = perm.Select(p => ps[p]).ToArray();
            yield return new OpCase
            {
                Name = $"Permute {d.Name()} {Tensor.ShapeString(ps)} by ({string.Join(", ", perm)})", Kernel = "permute_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                Inputs = g => [d.IsFloat() ? NonZero(g, ps, d) : SmallInts(g, ps, d, 1000)],
                Outputs = i => [Unwritten(i[0], ys)],
                Execute = (b, i, o) => b.Permute(i[0], perm, o[0]),
                Reference = x => [PermuteRef(x[0], ps, perm)],
            };
        }
    }

    private static OpCase Act(string name, string kernel, DType d, int n, Func<Generator, Tensor> first, Action<IBackend, Tensor[], Tensor[]> run, Func<double, double, double> f) => new()
    {
        Name = $"{name} {d.Name()} [{n}]", Kernel = $"{kernel}_{Sfx(d)}", Kind = OpKind.Elementwise, DType = d,
        Inputs = g => [first(g), NonZero(g, [n], d)],
        Outputs = i => [Unwritten(i[0], [n])],
        Execute = run,
        Reference = x => [Map(x[0], x[1], f)],
    };

    /// <summary>y = f(a, b) with NumPy broadcasting, by explicit index arithmetic.</summary>
    internal static double[] BroadcastRef(double[] a, int[] sa, double[] b, int[] sb, int[] sy, Func<double, double, double> f)
    {
        var y = new double[Tensor.SizeOf(sy)];
        var idx = new int[sy.Length];
        for (long i = 0; i < y.Length; i++)
        {
            long rest = i;
            for (int d = sy.Length - 1; d >= 0; d--) { idx[d] = (int)(rest % sy[d]); rest /= sy[d]; }
            y[i] = f(a[Offset(idx, sa)], b[Offset(idx, sb)]);
        }
        return y;
    }

    /// <summary>Flat offset into a tensor of shape <paramref name="s"/> read at broadcast index <paramref name="idx"/>.</summary>
    private static long Offset(int[] idx, int[] s)
    {
        long off = 0;
        for (int k = 0; k < s.Length; k++)
        {
            int d = idx[idx.Length - s.Length + k];
            off = off * s[k] + (s[k] == 1 ? 0 : d);
        }
        return off;
    }

    internal static double[] PermuteRef(double[] x, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var ys = perm.Select(p => shape[p]).ToArray();
        var y = new double[x.Length];
        var idx = new int[rank];
        var xi = new int[rank];
        for (long i = 0; i < y.Length; i++)
        {
            long rest = i;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = (int)(rest % ys[d]); rest /= ys[d]; }
            for (int d = 0; d < rank; d++) xi[perm[d]] = idx[d];
            long off = 0;
            for (int d = 0; d < rank; d++) off = off * shape[d] + xi[d];
            y[i] = x[off];
        }
        return y;
    }
}
