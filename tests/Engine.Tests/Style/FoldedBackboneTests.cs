using Engine.Functional;
using Engine.IO.Onnx;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// The style backbone runs ResNet18 with its batch norms folded into the convolutions: its content and style
/// features, and the gradient of a loss on them with respect to the pixels, equal those of the imported
/// (unfolded, eval-mode, frozen) network within float32 rounding.
/// </summary>
public class FoldedBackboneTests
{
    [Test]
    public void FoldedFeaturesAndPixelGradientsMatchTheImportedNetwork()
    {
        using var scope = Tensor.Scope();
        var net = new ResNet18StyleBackbone(Device.Cpu);
        var imported = ResNet18Onnx.Load();
        imported.CheckInputShapes = false;
        imported.Eval();
        foreach (var p in imported.Parameters()) p.RequiresGrad = false;
        Assert.That(net.Model.Nodes.Count(n => n.OpType == "BatchNormalization"), Is.Zero, "the backbone's graph has no batch norm left");
        string[] layers = [ResNet18StyleBackbone.ContentLayer, .. ResNet18StyleBackbone.StyleLayers];
        var pixels = Tensor.Randn([1, 3, 64, 96], generator: new Generator(3)) * 50;
        (Tensor[] Features, double[] Grad) Run(Func<Tensor, IReadOnlyDictionary<string, Tensor>> features)
        {
            var x = pixels.Detach();
            x.RequiresGrad = true;
            var f = features(x);
            var loss = layers.Select(l => F.Gram(f[l]).Sum()).Aggregate((a, b) => a + b);
            loss.Backward();
            return (layers.Select(l => f[l]).ToArray(), x.Grad!.ToDoubleArray());
        }
        var (folded, foldedGrad) = Run(x => net.Features(x, layers));
        var (plain, plainGrad) = Run(x => imported.Run(x, layers));
        for (int i = 0; i < layers.Length; i++)
            TensorAssert.Close(folded[i], plain[i], 2e-5, layers[i]);
        Assert.That(foldedGrad.Max(Math.Abs), Is.GreaterThan(0), "a gradient reaches the pixels");
        TensorAssert.Close(Tensor.FromDoubles(foldedGrad, [foldedGrad.Length], DType.Float64, null),
            Tensor.FromDoubles(plainGrad, [plainGrad.Length], DType.Float64, null), 2e-4, "d(Σ Gram)/d pixels");
    }
}
