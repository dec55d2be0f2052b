using Engine.IO.Onnx;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// <see cref="OnnxModel.FoldBatchNorm"/>: the folded model computes what the imported one does (float64:
/// to 1e-12; float32 ResNet18: within float32 rounding, and still against ONNX Runtime), its weights are
/// W·γ/√(var+ε) rounded once, it folds only Conv → BatchNormalization pairs it may, and it leaves the
/// imported model as it was. Also: inference runs that write Relu/Add over a dead input never change a
/// value another node or the caller still reads.
/// </summary>
public class OnnxFoldTests
{
    private static OnnxBuilder ConvBn(DType dtype, bool convBias)
    {
        var g = new Generator(11);
        var b = new OnnxBuilder(opset: 13)
            .Input("x", [-1, 4, 9, 8])
            .Init("W", Tensor.Rand([6, 2, 3, 2], -0.5, 0.5, dtype, generator: g))
            .Init("scale", Tensor.Rand([6], 0.5, 1.5, dtype, generator: g))
            .Init("shift", Tensor.Rand([6], -0.2, 0.2, dtype, generator: g))
            .Init("mean", Tensor.Rand([6], -0.2, 0.2, dtype, generator: g))
            .Init("var", Tensor.Rand([6], 0.5, 1.5, dtype, generator: g));
        if (convBias) b.Init("Wb", Tensor.Rand([6], -0.1, 0.1, dtype, generator: g));
        return b
            .Node("Conv", convBias ? ["x", "W", "Wb"] : ["x", "W"], ["c"], ("group", 2L), ("dilations", new long[] { 2, 1 }), ("pads", new long[] { 1, 0, 0, 1 }), ("strides", new long[] { 2, 2 }))
            .Node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["bn"], ("epsilon", 1e-3));
    }

    private static double MaxRelDiff(Tensor a, Tensor b)
    {
        double[] x = a.ToDoubleArray(), y = b.ToDoubleArray();
        double scale = y.Max(Math.Abs), worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
        return worst / scale;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Float64FoldIsExact(bool convBias)
    {
        var bytes = ConvBn(DType.Float64, convBias).Node("Relu", ["bn"], ["y"]).Output("y").Bytes();
        var model = OnnxModel.Load(bytes, "conv-bn");
        var folded = model.FoldBatchNorm();
        Assert.That(folded.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Conv", "Relu" }));
        Assert.That(folded.Nodes[0].Outputs, Is.EqualTo(new[] { "bn" }), "the folded Conv writes the BN's output");
        string bias = convBias ? "Wb" : model.Nodes[0].Name + ".folded_bias";
        Assert.That(folded.NamedParameters().Select(p => p.Name), Is.EqualTo(convBias ? new[] { "W", "Wb" } : new[] { "W", bias }));
        Assert.That(folded.NamedBuffers(), Is.Empty);
        using var x = Tensor.Rand([3, 4, 9, 8], -2, 2, DType.Float64, generator: new Generator(4));
        using var expected = model.Forward(x);
        using var got = folded.Forward(x);
        double d = MaxRelDiff(got, expected);
        TestContext.Out.WriteLine($"float64 conv{(convBias ? "+bias" : "")}+BN folded vs unfolded: max |Δ| / max |y| = {d:E2}");
        Assert.That(d, Is.LessThan(1e-12));
        Assert.That(model.Nodes.Count, Is.EqualTo(3), "the imported model keeps its BatchNormalization");
    }

    [Test]
    public void Float32WeightsAreTheFloat64FoldRoundedOnce()
    {
        var model = OnnxModel.Load(ConvBn(DType.Float32, convBias: true).Output("bn").Bytes(), "conv-bn32");
        var folded = model.FoldBatchNorm();
        double[] w = model.Weight("W").ToDoubleArray(), g = model.Weight("scale").ToDoubleArray(), beta = model.Weight("shift").ToDoubleArray(),
            mean = model.Weight("mean").ToDoubleArray(), var = model.Weight("var").ToDoubleArray(), b = model.Weight("Wb").ToDoubleArray();
        float[] fw = folded.Weight("W").ToArray<float>(), fb = folded.Weight("Wb").ToArray<float>();
        double eps = 1e-3f;
        for (int f = 0; f < 6; f++)
        {
            double s = g[f] / Math.Sqrt(var[f] + eps);
            for (int k = 0; k < 12; k++) Assert.That(fw[f * 12 + k], Is.EqualTo((float)(w[f * 12 + k] * s)), $"W'[{f}, {k}] (12 taps per output channel)");
            Assert.That(fb[f], Is.EqualTo((float)((b[f] - mean[f]) * s + beta[f])), $"b'[{f}]");
        }
        using var x = Tensor.Rand([2, 4, 9, 8], -2, 2, generator: new Generator(5));
        Assert.That(MaxRelDiff(folded.Forward(x), model.Forward(x)), Is.LessThan(1e-6));
    }

    [Test]
    public void OnlyFoldsAConvWhoseOutputOnlyTheBatchNormReads()
    {
        // c is read by the BN and by the Add: folding would lose c, so the pair stays.
        var bytes = ConvBn(DType.Float64, convBias: false).Node("Add", ["bn", "c"], ["y"]).Output("y").Bytes();
        var folded = OnnxModel.Load(bytes, "shared").FoldBatchNorm();
        Assert.That(folded.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Conv", "BatchNormalization", "Add" }));
        // A BN after something other than a Conv stays too.
        var g = new Generator(2);
        var b = new OnnxBuilder().Input("x", [1, 3, 4, 4]);
        foreach (var n in new[] { "s", "t", "m", "v" }) b.Init(n, Tensor.Rand([3], 0.5, 1.5, DType.Float64, generator: g));
        var relu = OnnxModel.Load(b.Node("Relu", ["x"], ["r"]).Node("BatchNormalization", ["r", "s", "t", "m", "v"], ["y"]).Output("y").Bytes(), "relu-bn");
        Assert.That(relu.FoldBatchNorm().Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Relu", "BatchNormalization" }));
    }

    [Test]
    public void ResNet18FoldedMatchesTheImportedModelAndOnnxRuntime()
    {
        var model = ResNet18Onnx.Load();
        var folded = model.FoldBatchNorm();
        Assert.That(folded.Nodes.Count(n => n.OpType == "BatchNormalization"), Is.Zero);
        Assert.That(folded.Nodes.Count, Is.EqualTo(model.Nodes.Count - 22), "22 Conv+BN pairs become 22 Convs");
        Assert.That(model.Nodes.Count(n => n.OpType == "BatchNormalization"), Is.EqualTo(22), "the imported model is unchanged");
        Assert.That(folded.ParameterCount, Is.EqualTo(model.ParameterCount - model.Nodes.Where(n => n.OpType == "BatchNormalization").Sum(n => model.Weight(n.Inputs[1]).Size)),
            "each BN's scale and shift become the conv's bias: one vector per conv instead of two");
        using var x = Tensor.Rand([2, 3, 224, 224], -120, 135, generator: new Generator(22));
        model.CheckInputShapes = false;
        folded.CheckInputShapes = false;
        Tensor a, b;
        using (Tensor.NoGrad()) { a = folded.Forward(x); b = model.Forward(x); }
        double d = MaxRelDiff(a, b);
        TestContext.Out.WriteLine($"ResNet18 batch 2, BN folded vs as imported: max |Δ| / max |y| = {d:E2}");
        Assert.That(d, Is.LessThan(1e-5));
        using var x1 = Tensor.Rand([1, 3, 224, 224], -120, 135, generator: new Generator(23));
        var peer = OnnxRuntimePeer.Run(File.ReadAllBytes(ResNet18Onnx.ModelPath), ResNet18Onnx.InputName, x1, ResNet18Onnx.OutputName)[ResNet18Onnx.OutputName];
        Tensor y1;
        using (Tensor.NoGrad()) y1 = folded.Forward(x1);
        double dOrt = MaxRelDiff(y1, Tensor.FromArray(peer.Values, peer.Shape));
        TestContext.Out.WriteLine($"ResNet18 batch 1, BN folded vs ONNX Runtime: max |Δ| / max |y| = {dOrt:E2}");
        Assert.That(dOrt, Is.LessThan(1e-5));
    }

    [Test]
    public void InPlaceInferenceNeverOverwritesAValueStillRead()
    {
        var g = new Generator(9);
        // c → Relu (c is read again by the Add: no overwrite); c → Identity → Relu (an alias of c: no overwrite);
        // the Add's first input r dies there (overwritten), and the caller asks for r2: kept.
        var bytes = new OnnxBuilder().Input("x", [1, 2, 5, 5])
            .Init("W", Tensor.Rand([3, 2, 3, 3], -1, 1, DType.Float64, generator: g))
            .Node("Conv", ["x", "W"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["c"], ["r"])
            .Node("Identity", ["c"], ["i"])
            .Node("Relu", ["i"], ["r2"])
            .Node("Add", ["r", "c"], ["s"])
            .Node("Add", ["s", "r2"], ["y"])
            .Output("y").Bytes();
        var model = OnnxModel.Load(bytes, "aliases");
        using var x = Tensor.Rand([1, 2, 5, 5], -1, 1, DType.Float64, generator: new Generator(1));
        using var c = model.Run(x, "c")["c"];
        IReadOnlyDictionary<string, Tensor> v;
        using (Tensor.NoGrad()) v = model.Run(x, "y", "r2", "c");
        double[] cv = c.ToDoubleArray(), y = v["y"].ToDoubleArray();
        Assert.That(v["c"].ToDoubleArray(), Is.EqualTo(cv), "c is asked for and read by later nodes");
        Assert.That(v["r2"].ToDoubleArray(), Is.EqualTo(cv.Select(t => Math.Max(t, 0)).ToArray()));
        for (int i = 0; i < cv.Length; i++) Assert.That(y[i], Is.EqualTo(2 * Math.Max(cv[i], 0) + cv[i]).Within(1e-12), $"y[{i}]");
    }
}
