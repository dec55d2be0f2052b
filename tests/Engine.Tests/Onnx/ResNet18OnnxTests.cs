using Engine.IO.Onnx;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// The pretrained ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 run by the engine and by ONNX
/// Runtime on the same input: the pooled features and a few intermediate values agree within 1e-4 of
/// their largest magnitude (float32).
/// </summary>
public class ResNet18OnnxTests
{
    private static readonly string[] Intermediates =
        ["Convolution249_Output_0", "Pooling255_Output_0", "ReLU283_Output_0", "Plus331_Output_0", "ReLU365_Output_0"];

    [Test]
    public void TheModelIsRestoredWithTheSolutionAndHasTheDocumentedShape()
    {
        Assert.That(ResNet18Onnx.IsAvailable, Is.True, "ResNet18.onnx should be in the NuGet package folder after restore");
        var model = ResNet18Onnx.Load();
        Assert.That(model.InputNames, Is.EqualTo(new[] { ResNet18Onnx.InputName }));
        Assert.That(model.OutputNames, Is.EqualTo(new[] { ResNet18Onnx.OutputName }));
        Assert.That(model.InputShapes[ResNet18Onnx.InputName], Is.EqualTo(new[] { 1, 3, 224, 224 }));
        Assert.That(model.Nodes.Count(n => n.OpType == "Conv"), Is.EqualTo(1 + 2 * 9 + 3), "stem + two convs per basic block ([2,2,2,3]) + three projection shortcuts");
        Assert.That(model.Parameters().All(p => p.RequiresGrad), Is.True);
        Assert.That(model.Training, Is.False, "an imported model starts in eval mode");
    }

    [Test]
    public void OutputAndIntermediatesMatchOnnxRuntime()
    {
        var model = ResNet18Onnx.Load();
        var bytes = File.ReadAllBytes(ResNet18Onnx.ModelPath);
        using var x = Tensor.Rand([1, 3, 224, 224], -120, 135, generator: new Generator(22));
        string[] names = [.. Intermediates, ResNet18Onnx.OutputName];
        var peer = OnnxRuntimePeer.Run(bytes, ResNet18Onnx.InputName, x, names);
        IReadOnlyDictionary<string, Tensor> mine;
        using (Tensor.NoGrad()) mine = model.Run(x, names);
        foreach (var name in names)
        {
            var (shape, expected) = peer[name];
            Assert.That(mine[name].Shape, Is.EqualTo(shape), name);
            var got = mine[name].ToArray<float>();
            double scale = expected.Max(v => Math.Abs((double)v)), worst = 0;
            for (int i = 0; i < got.Length; i++) worst = Math.Max(worst, Math.Abs(got[i] - (double)expected[i]));
            TestContext.Out.WriteLine($"{name} {Tensor.ShapeString(shape)}: max |engine − ORT| = {worst:E2}, max |ORT| = {scale:F3}, ratio {worst / scale:E2}");
            Assert.That(worst, Is.LessThanOrEqualTo(1e-4 * scale), name);
        }
    }

    [Test]
    public void ThePreprocessingGraphRunsInTheEngineAsInOnnxRuntime()
    {
        // ResNetPreprocess.onnx: Split the RGB planes, Concat them as BGR, Sub the per-pixel ImageNet mean image.
        var prep = OnnxModel.Load(ResNet18Onnx.PreprocessPath);
        Assert.That(prep.Nodes.Select(n => n.OpType), Is.EqualTo(new[] { "Split", "Concat", "Sub" }));
        using var rgb = Tensor.Rand([1, 3, 224, 224], 0, 255, generator: new Generator(3));
        using var mine = prep.Forward(rgb);
        var peer = OnnxRuntimePeer.Run(File.ReadAllBytes(ResNet18Onnx.PreprocessPath), prep.InputNames[0], rgb, prep.OutputNames[0])[prep.OutputNames[0]];
        Assert.That(mine.ToArray<float>(), Is.EqualTo(peer.Values).Within(1e-4));
    }
}
