using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The SIMD / multithreaded CPU paths (elementwise, broadcasts, reductions, softmax, optimiser
/// updates) against simple loops written here in double, on random data and awkward sizes
/// (tails shorter than a vector, sizes above the parallel threshold).
/// </summary>
public class CpuFastPathTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;
    private static readonly int[] Sizes = [1, 7, 8, 33, 1000, 70_001];
    private static readonly DType[] Floats = [DType.Float32, DType.Float64];

    private static (Tensor T, double[] V) Random(int[] shape, DType dtype, Random rng, double lo = -3, double hi = 3)
    {
        var v = new double[Tensor.SizeOf(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = lo + (hi - lo) * rng.NextDouble();
        if (dtype == DType.Float32)
        {
            var f = v.Select(x => (float)x).ToArray();
            v = f.Select(x => (double)x).ToArray();
            return (Tensor.FromArray(f, shape), v);
        }
        return (Tensor.FromArray(v.ToArray(), shape), v);
    }

    /// <summary>|got − expected| ≤ rel · (|expected| + floor): inputs are O(1), so floor 1 bounds cancellation in a − b.</summary>
    private static void AssertClose(Tensor got, double[] expected, double rel, string what, double floor = 1)
    {
        var g = got.ToDoubleArray();
        Assert.That(g.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < g.Length; i++)
        {
            double e = expected[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(g[i]) : double.IsInfinity(e) ? g[i] == e : Math.Abs(g[i] - e) <= rel * (Math.Abs(e) + floor);
            if (!ok) Assert.Fail($"{what}: element {i} is {g[i]}, expected {e}.");
        }
    }

    private static double Tol(DType d) => d == DType.Float32 ? 2e-6 : 1e-13;

    [Test]
    public void UnaryOpsMatchMathLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        var ops = new (UnaryOp Op, Func<double, double> F, double Lo)[]
        {
            (UnaryOp.Neg, x => -x, -3), (UnaryOp.Abs, Math.Abs, -3), (UnaryOp.Square, x => x * x, -3),
            (UnaryOp.Sqrt, Math.Sqrt, 0.01), (UnaryOp.Relu, x => x > 0 ? x : 0, -3), (UnaryOp.Exp, Math.Exp, -30),
            (UnaryOp.Log, Math.Log, 0.01), (UnaryOp.Sigmoid, x => 1 / (1 + Math.Exp(-x)), -30), (UnaryOp.Tanh, Math.Tanh, -3),
            (UnaryOp.Sign, x => Math.Sign(x), -3),
        };
        var rng = new Random(1);
        foreach (var (op, f, lo) in ops)
            foreach (int n in Sizes)
            {
                var (x, xv) = Random([n], dtype, rng, lo, 3);
                var y = Tensor.Zeros([n], dtype);
                B.Unary(op, x, y);
                AssertClose(y, xv.Select(f).ToArray(), 4 * Tol(dtype), $"{op} {dtype.Name()} n={n}", floor: 1e-3);
                B.Unary(op, x, x); // in place (y aliases x)
                AssertClose(x, xv.Select(f).ToArray(), 4 * Tol(dtype), $"{op} in place {dtype.Name()} n={n}", floor: 1e-3);
            }
    }

    [Test]
    public void ReluAndMaxKeepNaNSemantics()
    {
        var values = Enumerable.Range(0, 40).Select(i => (float)i - 20).ToArray();
        values[3] = float.NaN;
        var x = Tensor.FromArray(values);
        var y = Tensor.ZerosLike(x);
        B.Unary(UnaryOp.Relu, x, y);
        Assert.That(y.ToArray<float>(), Is.EqualTo(values.Select(v => v <= 0 ? 0f : v).ToArray()), "relu(NaN) = NaN, as torch.relu");
        foreach (var op in new[] { ReduceOp.Max, ReduceOp.Min, ReduceOp.Sum })
        {
            var m = Tensor.Zeros([1]);
            B.Reduce(op, x.Reshape(1, 40), 1, m);
            Assert.That(float.IsNaN(m.ToArray<float>()[0]), Is.True, $"{op} over a row holding NaN is NaN");
        }
    }

    private static readonly (int[] A, int[] B)[] BroadcastShapes =
    [
        ([37, 29], [37, 29]), ([100, 50], [50]), ([50], [100, 50]), ([3, 70001], [70001]), ([37, 29], [37, 1]),
        ([37, 1], [37, 29]), ([4000, 30], [4000, 1]), ([37, 29], [1]), ([1], [37, 29]), ([2, 3, 4], [3, 1]),
        ([5, 1], [1, 7]), ([4, 1, 5], [3, 1]), ([2, 3, 4], [1, 3, 4]), ([6, 1, 9], [6, 4, 9]), ([3, 4], [1, 1]),
        // Short rows (a conv bias over [N·H·W, C]): taken several rows at a time, with a ragged last group.
        ([5003, 16], [16]), ([16], [333, 16]), ([7001, 5], [5]), ([61, 3], [1, 3]),
    ];

    [Test]
    public void BinaryOpsWithBroadcastingMatchIndexLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        var ops = new (BinaryOp Op, Func<double, double, double> F)[]
        {
            (BinaryOp.Add, (a, b) => a + b), (BinaryOp.Sub, (a, b) => a - b), (BinaryOp.Mul, (a, b) => a * b),
            (BinaryOp.Div, (a, b) => a / b), (BinaryOp.Maximum, Math.Max), (BinaryOp.Minimum, Math.Min),
            (BinaryOp.Greater, (a, b) => a > b ? 1 : 0), (BinaryOp.Equal, (a, b) => a == b ? 1 : 0),
            (BinaryOp.Pow, (a, b) => Math.Pow(a, b)),
        };
        var rng = new Random(2);
        foreach (var (sa, sb) in BroadcastShapes)
        {
            int[] ys = BroadcastShape(sa, sb);
            var (a, av) = Random(sa, dtype, rng, 0.5, 3);
            var (b, bv) = Random(sb, dtype, rng, 0.5, 3);
            foreach (var (op, f) in ops)
            {
                var y = Tensor.Zeros(ys, dtype);
                B.Binary(op, a, b, y);
                AssertClose(y, BroadcastLoop(av, sa, bv, sb, ys, f), 8 * Tol(dtype), $"{op} {Tensor.ShapeString(sa)}·{Tensor.ShapeString(sb)} {dtype.Name()}");
            }
        }
    }

    [Test]
    public void EqualAndGreaterSeeTies()
    {
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
        var b = Tensor.FromArray(new float[] { 1, 0, 3, 5, 5, 0, 7, 9, 9, 0 });
        var y = Tensor.ZerosLike(a);
        B.Binary(BinaryOp.Equal, a, b, y);
        Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 }));
        B.Binary(BinaryOp.Greater, a, b, y);
        Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 }));
    }

    [Test]
    public void ScalarOpsBothOrdersMatchLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        var ops = new (BinaryOp Op, Func<double, double, double> F)[]
        {
            (BinaryOp.Add, (a, b) => a + b), (BinaryOp.Sub, (a, b) => a - b), (BinaryOp.Mul, (a, b) => a * b),
            (BinaryOp.Div, (a, b) => a / b), (BinaryOp.Maximum, Math.Max), (BinaryOp.Minimum, Math.Min),
            (BinaryOp.Greater, (a, b) => a > b ? 1 : 0), (BinaryOp.Pow, Math.Pow),
        };
        var rng = new Random(3);
        foreach (int n in Sizes)
        {
            var (a, av) = Random([n], dtype, rng, 0.5, 3);
            foreach (var (op, f) in ops)
                foreach (double s in new[] { 2.0, 1.75 })
                    foreach (bool first in new[] { false, true })
                    {
                        var y = Tensor.Zeros([n], dtype);
                        B.BinaryScalar(op, a, s, y, first);
                        AssertClose(y, av.Select(x => first ? f(s, x) : f(x, s)).ToArray(), 8 * Tol(dtype), $"{op} scalar {s} first={first} n={n}");
                    }
        }
    }

    [Test]
    public void ActivationBackwardsAndDropoutMatchLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        var rng = new Random(4);
        foreach (int n in Sizes)
        {
            var (x, xv) = Random([n], dtype, rng, -1, 1);
            var (g, gv) = Random([n], dtype, rng);
            var dx = Tensor.Zeros([n], dtype);
            B.ReluBackward(x, g, dx);
            AssertClose(dx, xv.Zip(gv, (xi, gi) => xi > 0 ? gi : 0).ToArray(), 0, $"ReluBackward n={n}");
            B.SigmoidBackward(x, g, dx);
            AssertClose(dx, xv.Zip(gv, (yi, gi) => gi * yi * (1 - yi)).ToArray(), 4 * Tol(dtype), $"SigmoidBackward n={n}");
            B.TanhBackward(x, g, dx);
            AssertClose(dx, xv.Zip(gv, (yi, gi) => gi * (1 - yi * yi)).ToArray(), 4 * Tol(dtype), $"TanhBackward n={n}");
            var maskValues = Enumerable.Range(0, n).Select(i => (i * 7919 % 3 == 0) ? 0.0 : 1.0).ToArray();
            var mask = dtype == DType.Float32 ? Tensor.FromArray(maskValues.Select(v => (float)v).ToArray()) : Tensor.FromArray(maskValues);
            B.Dropout(x, mask, 2.0, dx);
            AssertClose(dx, xv.Select((xi, i) => xi * maskValues[i] * 2).ToArray(), Tol(dtype), $"Dropout n={n}");
        }
    }

    [Test]
    public void ReductionsAlongEveryAxisMatchLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        int[][] shapes = [[1], [7], [100, 50], [50, 100], [3, 70001], [70001, 3], [2, 3, 4], [5, 1, 9], [4, 33, 17], [0, 5]];
        var rng = new Random(5);
        foreach (var shape in shapes)
        {
            var (x, xv) = Random(shape, dtype, rng);
            for (int axis = 0; axis < shape.Length; axis++)
                foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Mean, ReduceOp.Max, ReduceOp.Min })
                {
                    var ys = shape.Where((_, d) => d != axis).ToArray();
                    var y = Tensor.Zeros(ys.Length == 0 ? [1] : ys, dtype);
                    B.Reduce(op, x, axis, y);
                    var (outer, n, inner) = CpuBackend.AxisView(shape, axis);
                    var expected = new double[outer * inner];
                    for (int o = 0; o < outer; o++)
                        for (int i = 0; i < inner; i++)
                        {
                            var vals = Enumerable.Range(0, n).Select(k => xv[(o * n + k) * inner + i]).ToList();
                            expected[o * inner + i] = op switch
                            {
                                ReduceOp.Sum => vals.Sum(),
                                ReduceOp.Mean => n == 0 ? double.NaN : vals.Average(),
                                ReduceOp.Max => n == 0 ? double.NegativeInfinity : vals.Max(),
                                _ => n == 0 ? double.PositiveInfinity : vals.Min(),
                            };
                        }
                    // Sums of n terms of size ≤ 3 may differ from the double loop by n roundings.
                    double rel = op is ReduceOp.Max or ReduceOp.Min ? 0 : Tol(dtype) * Math.Max(1, n) * 3;
                    AssertClose(y, expected, rel, $"{op} axis {axis} of {Tensor.ShapeString(shape)} {dtype.Name()}");
                }
        }
    }

    [Test]
    public void SoftmaxAndLogSoftmaxRowsMatchLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        var rng = new Random(6);
        foreach (var (rows, c) in new[] { (1, 1), (3, 7), (100, 10), (5, 33), (2000, 40) })
        {
            var (x, xv) = Random([rows, c], dtype, rng, -20, 20);
            var sm = new double[xv.Length];
            var lsm = new double[xv.Length];
            for (int r = 0; r < rows; r++)
            {
                var row = xv.Skip(r * c).Take(c).ToArray();
                double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
                for (int j = 0; j < c; j++)
                {
                    sm[r * c + j] = Math.Exp(row[j] - max) / sum;
                    lsm[r * c + j] = row[j] - max - Math.Log(sum);
                }
            }
            var y = Tensor.Zeros([rows, c], dtype);
            B.Softmax(x, y);
            AssertClose(y, sm, 8 * Tol(dtype), $"Softmax [{rows},{c}]");
            B.LogSoftmax(x, y);
            AssertClose(y, lsm, 8 * Tol(dtype), $"LogSoftmax [{rows},{c}]");
        }
    }

    [Test]
    public void OptimiserUpdatesMatchLoops([ValueSource(nameof(Floats))] DType dtype)
    {
        var rng = new Random(7);
        foreach (int n in Sizes)
        {
            (Tensor, double[]) R(double lo = -1, double hi = 1) => Random([n], dtype, rng, lo, hi);
            var (p, pv) = R(); var (g, gv) = R(); var (s1, s1v) = R(0, 1); var (s2, s2v) = R(0, 1);
            double lr = 0.1, wd = 0.01, mu = 0.9, eps = 1e-7, rho = 0.99, b1 = 0.9, b2 = 0.999;
            double tol = 16 * Tol(dtype);

            B.SgdUpdate(p, g, lr, wd);
            for (int i = 0; i < n; i++) pv[i] -= lr * (gv[i] + wd * pv[i]);
            AssertClose(p, pv, tol, $"Sgd n={n}");

            foreach (bool nesterov in new[] { false, true })
            {
                B.MomentumUpdate(p, g, s1, lr, mu, nesterov, wd);
                for (int i = 0; i < n; i++)
                {
                    double gi = gv[i] + wd * pv[i];
                    s1v[i] = mu * s1v[i] + gi;
                    pv[i] -= lr * (nesterov ? gi + mu * s1v[i] : s1v[i]);
                }
                AssertClose(p, pv, tol, $"Momentum nesterov={nesterov} n={n}");
                AssertClose(s1, s1v, tol, $"Momentum velocity n={n}");
            }

            B.AdaGradUpdate(p, g, s2, lr, eps);
            for (int i = 0; i < n; i++) { s2v[i] += gv[i] * gv[i]; pv[i] -= lr * gv[i] / (Math.Sqrt(s2v[i]) + eps); }
            AssertClose(p, pv, tol, $"AdaGrad n={n}");
            AssertClose(s2, s2v, tol, $"AdaGrad h n={n}");

            B.RmsPropUpdate(p, g, s2, lr, rho, eps);
            for (int i = 0; i < n; i++) { s2v[i] = rho * s2v[i] + (1 - rho) * gv[i] * gv[i]; pv[i] -= lr * gv[i] / (Math.Sqrt(s2v[i]) + eps); }
            AssertClose(p, pv, tol, $"RmsProp n={n}");

            B.AdamUpdate(p, g, s1, s2, lr, b1, b2, eps, 3);
            double c1 = 1 - Math.Pow(b1, 3), c2 = 1 - Math.Pow(b2, 3);
            for (int i = 0; i < n; i++)
            {
                s1v[i] = b1 * s1v[i] + (1 - b1) * gv[i];
                s2v[i] = b2 * s2v[i] + (1 - b2) * gv[i] * gv[i];
                pv[i] -= lr * (s1v[i] / c1) / (Math.Sqrt(s2v[i] / c2) + eps);
            }
            AssertClose(p, pv, tol, $"Adam n={n}");
            AssertClose(s1, s1v, tol, $"Adam m n={n}");
            AssertClose(s2, s2v, tol, $"Adam v n={n}");
        }
    }

    private static int[] BroadcastShape(int[] a, int[] b)
    {
        int r = Math.Max(a.Length, b.Length);
        var y = new int[r];
        for (int d = 0; d < r; d++)
        {
            int da = d - (r - a.Length) >= 0 ? a[d - (r - a.Length)] : 1, db = d - (r - b.Length) >= 0 ? b[d - (r - b.Length)] : 1;
            y[d] = Math.Max(da, db);
        }
        return y;
    }

    /// <summary>y[idx] = f(a[idx mod a's shape], b[idx mod b's shape]) by explicit multi-indices.</summary>
    private static double[] BroadcastLoop(double[] av, int[] sa, double[] bv, int[] sb, int[] ys, Func<double, double, double> f)
    {
        var y = new double[Tensor.SizeOf(ys)];
        var idx = new int[ys.Length];
        for (int flat = 0; flat < y.Length; flat++)
        {
            int rest = flat;
            for (int d = ys.Length - 1; d >= 0; d--) { idx[d] = rest % ys[d]; rest /= ys[d]; }
            y[flat] = f(av[Offset(idx, sa)], bv[Offset(idx, sb)]);
        }
        return y;
    }

    private static int Offset(int[] idx, int[] s)
    {
        int off = 0, shift = idx.Length - s.Length;
        for (int d = 0; d < s.Length; d++) off = off * s[d] + (s[d] == 1 ? 0 : idx[d + shift]);
        return off;
    }
}
