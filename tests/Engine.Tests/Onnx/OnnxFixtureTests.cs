using System.Text.Json;
using Engine.IO.Onnx;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// The ONNX operators against PyTorch 1.13: small modules exported to ONNX by
/// tests/fixtures/onnx/make_fixtures.py (grouped, depthwise and dilated conv, max/avg pooling with
/// ceil_mode and both count_include_pad, Gemm from Linear and with transA, transB, alpha, beta, a tiny net
/// with Clip, Mul, Add, Concat, GlobalAveragePool, Flatten, Dropout, Softmax in opsets 9 and 13, once more
/// with its BatchNormalization node kept). The imported model's output and its input gradient of Σ y·r
/// match PyTorch within 1e-5·(1 + |expected|) in float32, its output matches ONNX Runtime, and with the
/// BatchNormalization folded (<see cref="OnnxModel.FoldBatchNorm"/>) it still matches PyTorch.
/// </summary>
public class OnnxFixtureTests
{
    private static readonly Lazy<(string Dir, JsonElement[] Cases)> All = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        const string rel = "tests/fixtures/onnx/onnx_fixtures.json";
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, rel))) dir = dir.Parent;
        if (dir is null) throw new FileNotFoundException($"{rel} not found above {AppContext.BaseDirectory}");
        var path = Path.Combine(dir.FullName, rel);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return (Path.GetDirectoryName(path)!, doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray());
    });

    public static IEnumerable<string> CaseNames() =>
    [
        "conv_groups_dilation", "conv_depthwise_stride", "conv_dilated_stride", "maxpool_ceil", "maxpool_ceil_odd",
        "avgpool_ceil_include", "avgpool_ceil_exclude", "avgpool_pad_exclude", "linear", "tiny_net_opset9", "tiny_net_opset13",
        "tiny_net_bn_opset13", "gemm_transposes",
    ];

    private static JsonElement Case(string name) => All.Value.Cases.Single(c => c.GetProperty("name").GetString() == name);
    private static float[] Fl(JsonElement c, string p) => c.GetProperty(p).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
    private static int[] Sh(JsonElement c, string p) => c.GetProperty(p).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static void Close(float[] got, float[] expected, double tol, string what)
    {
        Assert.That(got.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < got.Length; i++)
            Assert.That(Math.Abs(got[i] - expected[i]), Is.LessThanOrEqualTo(tol * (1 + Math.Abs(expected[i]))), $"{what}[{i}]: {got[i]} vs {expected[i]}");
    }

    [TestCaseSource(nameof(CaseNames))]
    public void ForwardAndInputGradientMatchPyTorch(string name)
    {
        var c = Case(name);
        var model = OnnxModel.Load(Path.Combine(All.Value.Dir, c.GetProperty("file").GetString()!));
        Assert.That(model.OpsetVersion, Is.EqualTo(c.GetProperty("opset").GetInt32()));
        var x = Tensor.FromArray(Fl(c, "x"), Sh(c, "x_shape"));
        x.RequiresGrad = true;
        var y = model.Forward(x);
        Assert.That(y.Shape, Is.EqualTo(Sh(c, "y_shape")));
        Close(y.ToArray<float>(), Fl(c, "y"), 1e-5, name + " y");
        using var r = Tensor.FromArray(Fl(c, "r"), Sh(c, "y_shape"));
        (y * r).Sum().Backward();
        Close(x.Grad!.ToArray<float>(), Fl(c, "dx"), 1e-5, name + " dx");
    }

    [TestCaseSource(nameof(CaseNames))]
    public void ForwardMatchesOnnxRuntime(string name)
    {
        var c = Case(name);
        var bytes = File.ReadAllBytes(Path.Combine(All.Value.Dir, c.GetProperty("file").GetString()!));
        var model = OnnxModel.Load(bytes, name);
        using var x = Tensor.FromArray(Fl(c, "x"), Sh(c, "x_shape"));
        using var y = model.Forward(x);
        var peer = OnnxRuntimePeer.Run(bytes, "x", x, "y")["y"];
        Assert.That(y.Shape, Is.EqualTo(peer.Shape));
        Close(y.ToArray<float>(), peer.Values, 1e-5, name + " y vs ORT");
    }

    [Test]
    public void TheFixturesHoldTheOperatorsTheyAreNamedFor()
    {
        var dir = All.Value.Dir;
        var bn = OnnxModel.Load(Path.Combine(dir, "tiny_net_bn_opset13.onnx"));
        Assert.That(bn.Nodes.Count(n => n.OpType == "BatchNormalization"), Is.EqualTo(1), "exported with TrainingMode.PRESERVE");
        Assert.That(OnnxModel.Load(Path.Combine(dir, "tiny_net_opset13.onnx")).Nodes.Any(n => n.OpType == "BatchNormalization"), Is.False,
            "PyTorch's eval-mode export folds the BN itself");
        var gemm = OnnxModel.Load(Path.Combine(dir, "gemm_transposes.onnx")).Nodes.Single(n => n.OpType == "Gemm");
        Assert.That((gemm.Int("transA", 0), gemm.Int("transB", 0), gemm.Float("alpha", 1), gemm.Float("beta", 1)), Is.EqualTo((1L, 1L, 2f, 0.5f)));
    }

    [Test]
    public void FoldedBatchNormMatchesPyTorch()
    {
        var c = Case("tiny_net_bn_opset13");
        var folded = OnnxModel.Load(Path.Combine(All.Value.Dir, c.GetProperty("file").GetString()!)).FoldBatchNorm();
        Assert.That(folded.Nodes.Any(n => n.OpType == "BatchNormalization"), Is.False);
        using var x = Tensor.FromArray(Fl(c, "x"), Sh(c, "x_shape"));
        using var y = folded.Forward(x);
        Close(y.ToArray<float>(), Fl(c, "y"), 1e-5, "folded y");
    }
}
