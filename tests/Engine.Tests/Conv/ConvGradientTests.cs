using Engine.Functional;
using Engine.Nn;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>Central-difference checks (float64) of every conv, pooling and batch-norm op and module.</summary>
public class ConvGradientTests
{
    [TestCase(1, 0, true)]
    [TestCase(2, 1, true)]
    [TestCase(1, 2, false)]
    [TestCase(3, 1, true)]
    public void Conv2dGradientsMatchCentralDifferences(int stride, int pad, bool bias)
    {
        var x = GradCheck.Rand([2, 3, 6, 5], seed: 1);
        var w = GradCheck.Rand([4, 3, 3, 2], -1, 1, seed: 2);
        var b = GradCheck.Rand([4], seed: 3);
        Tensor[] inputs = bias ? [x, w, b] : [x, w];
        GradCheck.Check(t => F.Conv2d(t[0], t[1], bias ? t[2] : null, stride, pad), inputs, what: $"Conv2d s{stride} p{pad}");
    }

    [Test]
    public void Im2ColAndCol2ImGradientsMatchCentralDifferences()
    {
        var x = GradCheck.Rand([2, 2, 5, 4]);
        GradCheck.Check(t => F.Im2Col(t[0], 3, 2, 2, 1), [x], what: "Im2Col");
        var cols = GradCheck.Rand([2 * 3 * 3, 2 * 3 * 2], seed: 5);
        GradCheck.Check(t => F.Col2Im(t[0], [2, 2, 5, 4], 3, 2, 2, 1), [cols], what: "Col2Im");
    }

    [TestCase(2, 2, 2, 0)]
    [TestCase(3, 3, 1, 1)]
    [TestCase(3, 2, 2, 1)]
    public void PoolingGradientsMatchCentralDifferences(int kh, int kw, int stride, int pad)
    {
        var x = GradCheck.Rand([2, 2, 6, 5], seed: 7);
        GradCheck.Check(t => F.MaxPool2d(t[0], (kh, kw), (stride, stride), (pad, pad)), [x], what: $"MaxPool2d {kh}×{kw} s{stride} p{pad}");
        GradCheck.Check(t => F.AvgPool2d(t[0], (kh, kw), (stride, stride), (pad, pad)), [x], what: $"AvgPool2d {kh}×{kw} s{stride} p{pad}");
    }

    [Test]
    public void GlobalAvgPoolGradientMatchesCentralDifferences()
    {
        var x = GradCheck.Rand([2, 3, 4, 3]);
        GradCheck.Check(t => F.GlobalAvgPool2d(t[0]), [x], what: "GlobalAvgPool2d");
        GradCheck.Check(t => F.GlobalAvgPool2d(t[0], keepDim: true), [x], what: "GlobalAvgPool2d(keepDim)");
    }

    [TestCase(true, new[] { 5, 3 })]
    [TestCase(true, new[] { 3, 2, 4 })]
    [TestCase(true, new[] { 2, 3, 3, 2 })]
    [TestCase(false, new[] { 2, 3, 3, 2 })]
    [TestCase(false, new[] { 5, 3 })]
    public void BatchNormGradientsMatchCentralDifferences(bool training, int[] shape)
    {
        int c = shape[1];
        var x = GradCheck.Rand(shape, seed: 11);
        var gamma = GradCheck.Rand([c], 0.5, 1.5, seed: 12);
        var beta = GradCheck.Rand([c], seed: 13);
        var rm = GradCheck.Rand([c], -0.3, 0.3, seed: 14);
        var rv = GradCheck.Rand([c], 0.5, 1.5, seed: 15);
        GradCheck.Check(t => F.BatchNorm(t[0], rm, rv, t[1], t[2], training), [x, gamma, beta],
            what: $"BatchNorm {(training ? "train" : "eval")} {Tensor.ShapeString(shape)}");
        // Without affine parameters (γ = 1, β = 0 implied).
        GradCheck.Check(t => F.BatchNorm(t[0], rm, rv, training: training), [x], what: "BatchNorm (no affine)");
    }

    private static Tensor[] Leaves(Module m, Tensor x) => new[] { x }.Concat(m.Parameters()).ToArray();

    [Test]
    public void ModulesMatchCentralDifferences()
    {
        var g = new Generator(21);
        var conv = new Conv2d(2, 3, 3, stride: 1, padding: 1, dtype: DType.Float64, generator: g);
        var x = GradCheck.Rand([2, 2, 5, 5], seed: 22);
        GradCheck.Check(t => conv.Forward(t[0]), Leaves(conv, x), what: "Conv2d module");

        GradCheck.Check(t => new MaxPool2d(2).Forward(t[0]), [x], what: "MaxPool2d module");
        GradCheck.Check(t => new AvgPool2d(3, stride: 2, padding: 1).Forward(t[0]), [x], what: "AvgPool2d module");
        GradCheck.Check(t => new GlobalAvgPool2d().Forward(t[0]), [x], what: "GlobalAvgPool2d module");

        var bn2 = new BatchNorm2d(2, dtype: DType.Float64);
        using (Tensor.NoGrad()) { bn2.Weight!.CopyFrom(GradCheck.Rand([2], 0.5, 1.5, seed: 23)); bn2.Bias!.CopyFrom(GradCheck.Rand([2], seed: 24)); }
        GradCheck.Check(t => bn2.Forward(t[0]), Leaves(bn2, x), what: "BatchNorm2d train");
        bn2.Eval();
        GradCheck.Check(t => bn2.Forward(t[0]), Leaves(bn2, x), what: "BatchNorm2d eval");

        var bn1 = new BatchNorm1d(4, dtype: DType.Float64);
        var x2 = GradCheck.Rand([6, 4], seed: 25);
        GradCheck.Check(t => bn1.Forward(t[0]), Leaves(bn1, x2), what: "BatchNorm1d train");

        var net = new Sequential(
            new Conv2d(2, 3, 3, padding: 1, dtype: DType.Float64, generator: g), new BatchNorm2d(3, dtype: DType.Float64), new ReLU(),
            new MaxPool2d(2), new Conv2d(3, 2, 2, dtype: DType.Float64, generator: g), new Flatten(), new Linear(2, 2, dtype: DType.Float64, generator: g));
        var xi = GradCheck.Rand([2, 2, 4, 4], seed: 26);
        GradCheck.Check(t => net.Forward(t[0]), Leaves(net, xi), what: "small CNN");
    }
}
