using NUnit.Framework;

namespace Engine.Tests.Autograd;

/// <summary>Central-difference gradient checks (float64) for every differentiable Tensor op.</summary>
public class TensorOpGradientTests
{
    private static readonly (string Name, Func<Tensor, Tensor> F, double Lo)[] UnaryCases =
    [
        ("Neg", x => x.Neg(), -2), ("Exp", x => x.Exp(), -2), ("Log", x => x.Log(), 0.2), ("Sqrt", x => x.Sqrt(), 0.2),
        ("Abs", x => x.Abs(), -2), ("Square", x => x.Square(), -2), ("Relu", x => x.Relu(), -2),
        ("Sigmoid", x => x.Sigmoid(), -2), ("Tanh", x => x.Tanh(), -2),
        ("Pow3", x => x.Pow(3), -2), ("PowHalf", x => x.Pow(0.5), 0.2), ("Clamp", x => x.Clamp(-1, 1), -2),
        ("AddScalar", x => x + 3, -2), ("MulScalar", x => x * -2.5, -2), ("RSub", x => 1 - x, -2), ("RDiv", x => 2 / x, 0.2),
        ("DivScalar", x => x / 4, -2), ("Softmax", x => x.Softmax(), -2), ("LogSoftmax", x => x.LogSoftmax(), -2),
        ("Sum", x => x.Sum(), -2), ("Mean", x => x.Mean(), -2), ("Max", x => x.Max(), -2), ("Min", x => x.Min(), -2),
        ("Sum0", x => x.Sum(0), -2), ("Sum1Keep", x => x.Sum(1, keepDim: true), -2), ("Mean1", x => x.Mean(-1), -2),
        ("Max1", x => x.Max(1), -2), ("Min0Keep", x => x.Min(0, keepDim: true), -2),
        ("Reshape", x => x.Reshape(4, 3) * GradCheck.Rand([4, 3], seed: 5), -2), ("View", x => x.View(-1), -2),
        ("Flatten", x => x.Reshape(2, 3, 2).Flatten(), -2),
        ("Permute", x => x.Reshape(2, 3, 2).Permute(2, 0, 1) * GradCheck.Rand([2, 2, 3], seed: 6), -2),
        ("T", x => x.T * GradCheck.Rand([4, 3], seed: 7), -2), ("Transpose", x => x.Transpose(0, 1), -2),
        ("IndexSelect", x => x.IndexSelect([2, 0, 2, 1]), -2), ("Rows", x => x.Rows(1, 2), -2),
        ("Expand", x => x.Reshape(3, 1, 4).Expand([3, 5, 4]) * GradCheck.Rand([3, 5, 4], seed: 8), -2),
        ("SumTo", x => x.SumTo([1, 4]), -2),
    ];

    private static IEnumerable<TestCaseData> Unary() => UnaryCases.Select(c => new TestCaseData(c.Name).SetName("Grad_" + c.Name));

    [TestCaseSource(nameof(Unary))]
    public void UnaryOpMatchesCentralDifferences(string name)
    {
        var c = UnaryCases.Single(u => u.Name == name);
        var x = GradCheck.Rand([3, 4], c.Lo, c.Lo + 4, seed: 3);
        GradCheck.Check(t => c.F(t[0]), [x], what: name);
    }

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> F, bool PositiveA)[] BinaryCases =
    [
        ("Add", (a, b) => a + b, false), ("Sub", (a, b) => a - b, false), ("Mul", (a, b) => a * b, false),
        ("Div", (a, b) => a / b, false), ("Pow", (a, b) => a ^ b, true), ("Maximum", (a, b) => a.Maximum(b), false),
        ("Minimum", (a, b) => a.Minimum(b), false),
    ];

    private static readonly (int[] A, int[] B)[] Shapes = [([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [2, 1]), ([1], [3, 2])];

    private static IEnumerable<TestCaseData> Binary() =>
        from c in BinaryCases from s in Shapes.Select((s, i) => i)
        select new TestCaseData(c.Name, s).SetName($"Grad_{c.Name}_{string.Join("x", Shapes[s].A)}_{string.Join("x", Shapes[s].B)}");

    [TestCaseSource(nameof(Binary))]
    public void BinaryOpWithBroadcastingMatchesCentralDifferences(string name, int shapeCase)
    {
        var c = BinaryCases.Single(b => b.Name == name);
        var (sa, sb) = Shapes[shapeCase];
        var a = c.PositiveA ? GradCheck.Rand(sa, 0.3, 2, seed: 11) : GradCheck.Rand(sa, seed: 11);
        var b = GradCheck.Rand(sb, seed: 12);
        if (name is "Maximum" or "Minimum") b = b * 0.7 + 0.01; // keep ties away
        GradCheck.Check(t => c.F(t[0], t[1]), [a, b], what: name);
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void MatMulWithTransposesMatchesCentralDifferences(bool transA, bool transB)
    {
        var a = GradCheck.Rand(transA ? [4, 3] : [3, 4], seed: 21);
        var b = GradCheck.Rand(transB ? [5, 4] : [4, 5], seed: 22);
        GradCheck.Check(t => t[0].MatMul(t[1], transA, transB), [a, b], what: $"MatMul({transA},{transB})");
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void BatchedMatMulMatchesCentralDifferences(bool transA, bool transB)
    {
        var a = GradCheck.Rand(transA ? [2, 4, 3] : [2, 3, 4], seed: 23);
        var b = GradCheck.Rand(transB ? [2, 5, 4] : [2, 4, 5], seed: 24);
        GradCheck.Check(t => t[0].MatMul(t[1], transA, transB), [a, b], what: "BatchedMatMul");
    }

    [Test]
    public void CastPassesTheGradientBackInTheInputDtype()
    {
        var x = GradCheck.Rand([2, 3], seed: 31).RequiresGrad_();
        var r = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var y = x.To(DType.Float32);
        Assert.That(y.DType, Is.EqualTo(DType.Float32));
        (y * r).Sum().Backward();
        Assert.That(x.Grad!.DType, Is.EqualTo(DType.Float64));
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 1, 2, 3, 4, 5, 6 }));
        // And through a float64 → float32 → float64 chain composed with other ops.
        x.ZeroGrad();
        (x.To(DType.Float32).To(DType.Float64) * x).Sum().Backward();
        var xs = x.ToArray<double>();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(xs.Select(v => 2 * v).ToArray()).Within(1e-6));
    }

    [Test]
    public void ComposedExpressionMatchesCentralDifferences()
    {
        var x = GradCheck.Rand([4, 3], seed: 41);
        var w = GradCheck.Rand([3, 2], seed: 42);
        var b = GradCheck.Rand([2], seed: 43);
        GradCheck.Check(t => (t[0].MatMul(t[1]) + t[2]).Tanh().LogSoftmax().Mean(0), [x, w, b], what: "composed");
    }
}
