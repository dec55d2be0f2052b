using Engine.IO.Onnx;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// An imported model is differentiable: a float64 ONNX file written here (grouped, dilated conv with
/// asymmetric pads; BatchNormalization; Relu; MaxPool with ceil_mode; AveragePool without the pads in
/// the count; Flatten; Gemm with alpha, beta, transB; Softmax) passes a central-difference check with
/// respect to the input and to three of its weights, and Gemm with transA matches a hand computation.
/// </summary>
public class OnnxGradientTests
{
    private static OnnxModel SmallNet()
    {
        var g = new Generator(7);
        var b = new OnnxBuilder(opset: 13)
            .Input("x", [-1, 4, 7, 6])
            .Init("W", Tensor.Rand([6, 2, 3, 2], -0.5, 0.5, DType.Float64, generator: g))
            .Init("Wb", Tensor.Rand([6], -0.1, 0.1, DType.Float64, generator: g))
            .Init("scale", Tensor.Rand([6], 0.5, 1.5, DType.Float64, generator: g))
            .Init("shift", Tensor.Rand([6], -0.2, 0.2, DType.Float64, generator: g))
            .Init("mean", Tensor.Rand([6], -0.2, 0.2, DType.Float64, generator: g))
            .Init("var", Tensor.Rand([6], 0.5, 1.5, DType.Float64, generator: g))
            .Init("B", Tensor.Rand([5, 72], -0.3, 0.3, DType.Float64, generator: g))
            .Init("C", Tensor.Rand([5], -0.3, 0.3, DType.Float64, generator: g))
            .Node("Conv", ["x", "W", "Wb"], ["c"], ("group", 2L), ("dilations", new long[] { 2, 1 }), ("pads", new long[] { 1, 0, 0, 1 }))
            .Node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["bn"], ("epsilon", 1e-3))
            .Node("Relu", ["bn"], ["r"])
            .Node("MaxPool", ["r"], ["mp"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }), ("ceil_mode", 1L))
            .Node("AveragePool", ["mp"], ["ap"], ("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 0, 0, 1, 1 }))
            .Node("Flatten", ["ap"], ["f"])
            .Node("Gemm", ["f", "B", "C"], ["gm"], ("transB", 1L), ("alpha", 0.7), ("beta", 1.3))
            .Node("Softmax", ["gm"], ["y"])
            .Output("y");
        return OnnxModel.Load(b.Bytes(), "small-net");
    }

    [Test]
    public void ShapesFollowTheOnnxRules()
    {
        var model = SmallNet();
        using var x = GradCheck.Rand([2, 4, 7, 6]);
        var v = model.Run(x, "c", "mp", "ap", "y");
        Assert.That(v["c"].Shape, Is.EqualTo(new[] { 2, 6, 4, 6 }), "conv: H 7+1−5+1, W 6+1−2+1");
        Assert.That(v["mp"].Shape, Is.EqualTo(new[] { 2, 6, 3, 4 }), "max pool with ceil_mode");
        Assert.That(v["ap"].Shape, Is.EqualTo(new[] { 2, 6, 3, 4 }));
        Assert.That(v["y"].Shape, Is.EqualTo(new[] { 2, 5 }));
        Assert.That(model.NamedBuffers().Select(b => b.Name), Is.EquivalentTo(new[] { "mean", "var" }));
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EquivalentTo(new[] { "W", "Wb", "scale", "shift", "B", "C" }));
    }

    [Test]
    public void GradientsMatchCentralDifferences()
    {
        var model = SmallNet();
        var x = GradCheck.Rand([2, 4, 7, 6], seed: 3);
        GradCheck.Check(t => model.Forward(t[0]), [x, model.Weight("W"), model.Weight("scale"), model.Weight("B")], what: "imported small net");
    }

    [Test]
    public void GemmWithTransposedAAndAlphaBetaMatchesAHandComputation()
    {
        var g = new Generator(5);
        using var a = Tensor.Rand([4, 3], -1, 1, DType.Float64, generator: g);
        using var bm = Tensor.Rand([5, 4], -1, 1, DType.Float64, generator: g);
        using var c = Tensor.Rand([1, 5], -1, 1, DType.Float64, generator: g);
        var bytes = new OnnxBuilder().Input("a", [4, 3]).Init("b", bm).Init("c", c)
            .Node("Gemm", ["a", "b", "c"], ["y"], ("transA", 1L), ("transB", 1L), ("alpha", 0.5), ("beta", 2.0)).Output("y").Bytes();
        var y = OnnxModel.Load(bytes).Forward(a).ToArray<double>();
        double[] av = a.ToArray<double>(), bv = bm.ToArray<double>(), cv = c.ToArray<double>();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
            {
                double s = 0;
                for (int k = 0; k < 4; k++) s += av[k * 3 + i] * bv[j * 4 + k];
                Assert.That(y[i * 5 + j], Is.EqualTo(0.5 * s + 2 * cv[j]).Within(1e-12), $"y[{i},{j}]");
            }
    }

    [Test]
    public void TrainModeUsesBatchStatisticsAndTheParametersTrain()
    {
        var model = SmallNet();
        using var x = GradCheck.Rand([2, 4, 7, 6], seed: 4);
        var before = model.Weight("mean").ToArray<double>();
        model.Train();
        var opt = new Engine.Optim.Sgd(model.Parameters(), lr: 0.1);
        var loss = model.Forward(x).Square().Sum();
        loss.Backward();
        opt.Step();
        Assert.That(model.Weight("mean").ToArray<double>(), Is.Not.EqualTo(before), "running mean updated in training mode");
        Assert.That(model.Weight("W").Grad, Is.Not.Null);
    }
}
