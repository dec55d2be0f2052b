namespace Engine.Hostile;

/// <summary>
/// The public API under fuzz: every op of <see cref="Tensor"/> here, the functional API, nn modules, the
/// from-scratch layers and optimisers in FuzzOps.Nn.cs, data, init, state dicts and schedulers in FuzzOps.Data.cs. Each entry draws its arguments and says how to check a
/// successful result.
/// </summary>
public static partial class FuzzOps
{
    public static readonly FuzzOp[] All = [.. TensorOps(), .. NnOps(), .. DataOps(), .. MoreOps()];

    private static FuzzOp Op(string name, Func<FuzzDraw, FuzzCall> make, params string[] alsoNamed) => new(name, [name, .. alsoNamed], make);

    private static FuzzCall Call(string name, FuzzDraw d, Func<object?> run, Func<object?, string?> check) => new($"{name}({d.Text})", run, check);

    private static FuzzCall NoCheck(string name, FuzzDraw d, Func<object?> run) => Call(name, d, run, _ => null);

    private static FuzzOp Unary(string name, Func<Tensor, Tensor> op, Func<double, double> f) =>
        Op(name, d => { var x = d.Tensor("x"); return Call(name, d, () => op(x), r => Expect.Unary(r, x, f)); });

    private static FuzzOp Binary(string name, Func<Tensor, Tensor, Tensor> op, Func<double, double, double> f) => Op(name, d =>
    {
        var a = d.Tensor("a");
        var b = d.Tensor("b", d.Like(a.Shape));
        return Call(name, d, () => op(a, b), r => Expect.Binary(r, a, b, f));
    });

    private static FuzzOp Creation(string name, Func<int[], DType, Device, Tensor> make) => Op(name, d =>
    {
        var s = d.CreationShape("shape");
        var dt = d.DTypeArg("dtype");
        var device = d.DeviceArg("device");
        return Call(name, d, () => make(s, dt, device), r => Expect.Shape(r, s));
    });

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>A scalar operand as the op sees it: rounded to float32 for a float32 tensor (as PyTorch does).</summary>
    private static double In(Tensor x, double s) => x.DType == DType.Float32 ? (float)s : s;

    private static IEnumerable<FuzzOp> TensorOps() =>
    [
        Creation("Zeros", (s, t, dev) => Tensor.Zeros(s, t, dev)),
        Creation("Ones", (s, t, dev) => Tensor.Ones(s, t, dev)),
        Creation("Full", (s, t, dev) => Tensor.Full(s, 2.5, t, dev)),
        Creation("Rand", (s, t, dev) => Tensor.Rand(s, dtype: t, device: dev)),
        Creation("Randn", (s, t, dev) => Tensor.Randn(s, t, dev)),
        Op("Arange", d => { int n = d.Int("n"); return Call("Arange", d, () => Tensor.Arange(n), r => Expect.Shape(r, [n])); }),
        Op("FromArray", d =>
        {
            var s = d.CreationShape("shape");
            int n = d.Int("values", 30);
            return Call("FromArray", d, () => Tensor.FromArray(new float[Math.Clamp(n, 0, 100)], s), r => Expect.Shape(r, s));
        }),
        Unary("Neg", x => x.Neg(), v => -v),
        Unary("Exp", x => x.Exp(), Math.Exp),
        Unary("Log", x => x.Log(), Math.Log),
        Unary("Sqrt", x => x.Sqrt(), Math.Sqrt),
        Unary("Abs", x => x.Abs(), Math.Abs),
        Unary("Square", x => x.Square(), v => v * v),
        Unary("Sign", x => x.Sign(), v => double.IsNaN(v) ? 0 : Math.Sign(v)), // torch.sign(nan) is 0
        Unary("Relu", x => x.Relu(), v => double.IsNaN(v) ? double.NaN : Math.Max(v, 0)),
        Unary("Sigmoid", x => x.Sigmoid(), Sigmoid),
        Unary("Tanh", x => x.Tanh(), Math.Tanh),
        Op("Pow", d => { var x = d.Tensor("x"); double p = d.Pick(2.0, 3.0, 0.5, -1.0); return Call("Pow", d, () => x.Pow(p), r => Expect.Shape(r, x.Shape)); }),
        Op("Clamp", d => { var x = d.Tensor("x"); double lo = d.Double("min"), hi = d.Double("max", 2); return Call("Clamp", d, () => x.Clamp(lo, hi), r => Expect.Shape(r, x.Shape)); }, "Maximum", "Minimum"),
        Binary("Add", (a, b) => a + b, (x, y) => x + y),
        Binary("Sub", (a, b) => a - b, (x, y) => x - y),
        Binary("Mul", (a, b) => a * b, (x, y) => x * y),
        Binary("Div", (a, b) => a / b, (x, y) => x / y),
        Binary("Maximum", (a, b) => a.Maximum(b), (x, y) => double.IsNaN(x) || double.IsNaN(y) ? double.NaN : Math.Max(x, y)),
        Binary("Minimum", (a, b) => a.Minimum(b), (x, y) => double.IsNaN(x) || double.IsNaN(y) ? double.NaN : Math.Min(x, y)),
        Binary("Greater", (a, b) => a.Greater(b), (x, y) => x > y ? 1 : 0),
        Binary("Equal", (a, b) => a.Equal(b), (x, y) => x == y ? 1 : 0),
        Op("AddScalar", d => { var x = d.Tensor("x"); double s = d.Double("s"); return Call("Add", d, () => x + s, r => Expect.Unary(r, x, v => v + In(x, s))); }, "Add"),
        Op("MulScalar", d => { var x = d.Tensor("x"); double s = d.Double("s"); return Call("Mul", d, () => x * s, r => Expect.Unary(r, x, v => v * In(x, s))); }, "Mul"),
        Op("RDiv", d => { var x = d.Tensor("x"); double s = d.Double("s"); return Call("RDiv", d, () => s / x, r => Expect.Unary(r, x, v => In(x, s) / v)); }, "Div"),
        Op("AddInPlace", d => { var a = d.Tensor("a"); var b = d.Tensor("b", d.Like(a.Shape)); return Call("AddInPlace", d, () => a.AddInPlace(b), r => Expect.Shape(r, a.Shape)); }),
        Op("MulInPlace", d => { var a = d.Tensor("a"); double s = d.Double("s"); return Call("MulInPlace", d, () => a.MulInPlace(s), r => Expect.Shape(r, a.Shape)); }),
        Op("FillInPlace", d => { var a = d.Tensor("a"); double s = d.Double("v"); return Call("FillInPlace", d, () => a.FillInPlace(s), r => Expect.Shape(r, a.Shape)); }),
        Op("CopyFrom", d => { var a = d.Tensor("a"); var b = d.Tensor("b", d.Like(a.Shape)); return Call("CopyFrom", d, () => a.CopyFrom(b), r => Expect.Alive(b) ?? Expect.Shape(r, a.Shape)); }),
        Op("Sum", d => { var x = d.Tensor("x"); return Call("Sum", d, () => x.Sum(), r => Expect.Alive(x) ?? Expect.Shape(r, [])); }),
        Op("Mean", d => { var x = d.Tensor("x"); return Call("Mean", d, () => x.Mean(), r => Expect.Alive(x) ?? Expect.Shape(r, [])); }),
        Op("Max", d => { var x = d.Tensor("x"); return Call("Max", d, () => x.Max(), r => Expect.Alive(x) ?? (x.Size == 0 ? "succeeded on an empty tensor" : Expect.Shape(r, []))); }),
        Op("SumAxis", d => Reduce(d, "Sum", (x, a, k) => x.Sum(a, k)), "Sum"),
        Op("MeanAxis", d => Reduce(d, "Mean", (x, a, k) => x.Mean(a, k)), "Mean"),
        Op("MaxAxis", d => Reduce(d, "Max", (x, a, k) => x.Max(a, k)), "Max"),
        Op("MinAxis", d => Reduce(d, "Min", (x, a, k) => x.Min(a, k)), "Min"),
        Op("ArgMax", d => Reduce(d, "ArgMax", (x, a, _) => x.ArgMax(a))),
        Op("Reshape", d =>
        {
            var x = d.Tensor("x");
            var s = d.Chance(0.3) ? d.CreationShape("shape") : d.Shape("shape");
            if (d.Chance(0.3) && s.Length > 0) s[d.Rng.Next(s.Length)] = -1;
            return Call("Reshape", d, () => x.Reshape(s), r => Expect.Alive(x) ?? (r is Tensor t && t.Size == x.Size ? null : "size changed"));
        }),
        Op("Flatten", d => { var x = d.Tensor("x"); int a = d.Axis("startDim", x.Rank); return Call("Flatten", d, () => x.Flatten(a), r => Expect.Alive(x) ?? (r is Tensor t && t.Size == x.Size ? null : "size changed")); }),
        Op("Permute", d =>
        {
            var x = d.Tensor("x");
            var perm = Enumerable.Range(0, x.Rank).OrderBy(_ => d.Rng.Next()).ToArray();
            if (d.Chance(0.3)) perm = d.Shape("perm", x.Rank);
            return Call("Permute", d, () => x.Permute(perm), r => Expect.Alive(x) ?? Expect.Shape(r, perm.Select(p => x.Shape[p]).ToArray()));
        }),
        Op("Transpose", d => { var x = d.Tensor("x"); int a = d.Axis("dim0", x.Rank), b = d.Axis("dim1", x.Rank); return Call("Transpose", d, () => x.Transpose(a, b), r => Expect.Alive(x) ?? (r is Tensor t && t.Size == x.Size ? null : "size changed")); }, "Permute"),
        Op("T", d => { var x = d.Tensor("x"); return Call("T", d, () => x.T, r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape.Reverse().ToArray())); }, "Permute"),
        Op("Expand", d => { var x = d.Tensor("x"); var s = d.Chance(0.2) ? d.CreationShape("shape") : d.Like(x.Shape).Select(v => v == 1 ? d.Rng.Next(4) : v).ToArray(); return Call("Expand", d, () => x.Expand(s), r => Expect.Alive(x) ?? Expect.Shape(r, s)); }),
        Op("IndexSelect", d =>
        {
            var x = d.Tensor("x");
            int rows = x.Rank > 0 ? x.Shape[0] : 1;
            var idx = Enumerable.Range(0, d.Rng.Next(4)).Select(_ => d.Chance(0.9) ? d.Rng.Next(Math.Max(rows, 1)) : d.Pick(-1, rows, int.MaxValue)).ToArray();
            return Call("IndexSelect", d, () => x.IndexSelect(idx), r => Expect.Alive(x) ?? Expect.Shape(r, [idx.Length, .. x.Shape.Skip(1)]));
        }),
        Op("Rows", d => { var x = d.Tensor("x"); int s = d.Int("start", 2), n = d.Int("count", 2); return Call("Rows", d, () => x.Rows(s, n), r => Expect.Alive(x) ?? Expect.Shape(r, [n, .. x.Shape.Skip(1)])); }, "IndexSelect"),
        Op("OneHot", d => { var l = d.Labels("labels", d.Rng.Next(4), 3); int c = d.Int("classes", 4); return Call("OneHot", d, () => l.OneHot(c), r => Expect.Shape(r, [l.Shape[0], c])); }),
        Op("Dim", d => { var x = d.Tensor("x"); int a = d.Axis("dim", x.Rank); return Call("Dim", d, () => x.Dim(a), r => r is int v && v == x.Shape[a < 0 ? a + x.Rank : a] ? null : "wrong size"); }),
        Op("Item", d => { var x = d.Tensor("x"); return Call("Item", d, () => x.Item(), r => x.Size == 1 ? null : "succeeded on a tensor that is not one element"); }),
        Op("To", d => { var x = d.Tensor("x"); var t = d.DTypeArg("dtype"); return Call("To", d, () => x.To(t), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }, "Cast"),
        Op("ToDevice", d => { var x = d.Tensor("x"); var dev = d.DeviceArg("device"); return Call("To", d, () => x.To(dev), r => Expect.Unary(r, x, v => v)); }, "To"),
        Op("Clone", d => { var x = d.Tensor("x"); return Call("Clone", d, () => x.Clone(), r => Expect.Unary(r, x, v => v)); }),
        Op("MatMul", d =>
        {
            var a = d.Tensor("a", d.Chance(0.5) ? d.Shape("", d.Pick(2, 3), record: false) : null);
            int[] bs = a.Rank >= 2 && d.Chance(0.7) ? [.. a.Shape[..^2], a.Shape[^1], d.Rng.Next(4)] : d.Shape("", record: false);
            var b = d.Tensor("b", bs);
            return Call("MatMul", d, () => a.MatMul(b), r => Expect.Alive(a, b) ?? Expect.Shape(r, [.. a.Shape[..^1], b.Shape[^1]]));
        }),
        Op("Softmax", d => { var x = d.Tensor("x"); return Call("Softmax", d, () => x.Softmax(), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }),
        Op("LogSoftmax", d => { var x = d.Tensor("x"); return Call("LogSoftmax", d, () => x.LogSoftmax(), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }),
        Op("Backward", d =>
        {
            var x = d.Tensor("x");
            bool twice = d.Chance(0.2);
            return Call("Backward", d, () =>
            {
                var y = (x * x).Sum();
                y.Backward();
                if (twice) y.Backward();
                return x.Grad;
            }, r => twice ? "a second Backward through a released graph succeeded" : Expect.Alive(x) ?? Expect.Shape(r, x.Shape));
        }, "Mul", "Sum"),
    ];

    private static FuzzCall Reduce(FuzzDraw d, string name, Func<Tensor, int, bool, Tensor> op)
    {
        var x = d.Tensor("x");
        int a = d.Axis("axis", x.Rank);
        bool keep = name != "ArgMax" && d.Chance(0.5);
        return Call(name, d, () => op(x, a, keep), r =>
        {
            if (Expect.Alive(x) is string dead) return dead;
            if (x.Rank == 0) return Expect.Shape(r, []);
            int axis = a < 0 ? a + x.Rank : a;
            if (x.Shape[axis] == 0 && name is "Max" or "Min" or "ArgMax") return "succeeded over an empty axis";
            var s = x.Shape.ToList();
            if (keep) s[axis] = 1; else s.RemoveAt(axis);
            return Expect.Shape(r, [.. s]);
        });
    }
}
