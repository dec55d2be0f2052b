using Engine.Functional;
using Engine.Layers;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// The VGG19 style backbone of 23.3 on a VGG19 notop with random weights written to a temporary .h5: the
/// loaded layers give the builder's outputs, a 2-iteration 23.3 at 32 pixels high lowers the loss every
/// iteration, the pixel gradient of a style loss matches central differences (float64), and a missing
/// --weights or a file that is not VGG19 is a clear error.
/// </summary>
public class Vgg19StyleBackboneTests
{
    private string _weights = "";
    private Sequential _vgg = null!;

    [OneTimeSetUp]
    public void WriteRandomVgg19()
    {
        _vgg = Vgg.Vgg19(includeTop: false, inputShape: [32, 32, 3], seed: 7);
        _weights = Path.Combine(Path.GetTempPath(), $"engine-vgg19-notop-{Guid.NewGuid():N}.h5");
        KerasH5.Save(_vgg, _weights);
    }

    [OneTimeTearDown]
    public void DeleteFile() => File.Delete(_weights);

    [Test]
    public void LoadedLayersGiveTheBuildersOutputs()
    {
        using var scope = Tensor.Scope();
        var net = new Vgg19StyleBackbone(_weights, 32, 32, Device.Cpu);
        var rng = new Random(3);
        var nhwc = Tensor.FromDoubles(Enumerable.Range(0, 32 * 32 * 3).Select(_ => rng.NextDouble() * 255 - 120).ToArray(), [1, 32, 32, 3], DType.Float32, Device.Cpu);
        var f = net.Features(nhwc.Permute(0, 3, 1, 2), ["block1_conv1", "block5_pool"]);
        var first = _vgg.GetLayer("block1_conv1").Call(nhwc).Permute(0, 3, 1, 2);
        var last = _vgg.Call(nhwc).Permute(0, 3, 1, 2);
        AssertClose(f["block1_conv1"], first);
        AssertClose(f["block5_pool"], last);
        Assert.That(f["block5_pool"].Shape, Is.EqualTo(new[] { 1, 512, 1, 1 }));
        Assert.That(net.Model.Weights.All(w => !w.Value.RequiresGrad), Is.True, "weights are frozen");
    }

    [Test]
    public void QuickStyleTransferWithVgg19LossFallsEveryIteration()
    {
        var ctx = TestRun.Exercise("23.3", true, ("backbone", "vgg19"), ("weights", _weights), ("height", "32"), ("iterations", "2"), ("maxfun", "5"));
        var check = ctx.Checks.Single(c => c.What == "loss falls every iteration");
        Assert.That(check.Pass, Is.True, check.Engine);
        Assert.That(File.Exists(Path.Combine(ctx.OutDir, "iteration_01.png")), Is.True);
    }

    [Test]
    public void StyleLossPixelGradientMatchesCentralDifferences()
    {
        using var scope = Tensor.Scope();
        var net = new Vgg19StyleBackbone(_weights, 32, 32, Device.Cpu, DType.Float64);
        var rng = new Random(5);
        double[] Pixels() => Enumerable.Range(0, 3 * 32 * 32).Select(_ => rng.NextDouble() * 255 - 120).ToArray();
        var style = net.Features(Tensor.FromDoubles(Pixels(), [1, 3, 32, 32], DType.Float64, Device.Cpu), ["block2_conv1"])["block2_conv1"].Detach();
        double Loss(double[] x, out double[]? grad, bool withGrad)
        {
            var img = Tensor.FromDoubles(x, [1, 3, 32, 32], DType.Float64, Device.Cpu, requiresGrad: withGrad);
            var l = F.StyleLoss(style, net.Features(img, ["block2_conv1"])["block2_conv1"], 32, 32);
            grad = null;
            if (withGrad) { l.Backward(); grad = img.Grad!.ToDoubleArray(); }
            return l.Item();
        }
        var x0 = Pixels();
        Loss(x0, out var g, true);
        const double eps = 1e-4;
        foreach (int i in new[] { 0, 37, 255, 600, 1100, 2047, 3071 })
        {
            var plus = (double[])x0.Clone(); plus[i] += eps;
            var minus = (double[])x0.Clone(); minus[i] -= eps;
            double numeric = (Loss(plus, out _, false) - Loss(minus, out _, false)) / (2 * eps);
            Assert.That(g![i], Is.EqualTo(numeric).Within(1e-5 * Math.Max(1, Math.Abs(numeric))), $"pixel {i}");
        }
    }

    [Test]
    public void MissingOrWrongWeightsAreClearErrors()
    {
        Assert.That(() => TestRun.Exercise("23.3", true, ("backbone", "vgg19")), Throws.ArgumentException.With.Message.Contains("--weights"));
        string other = Path.Combine(Path.GetTempPath(), $"engine-not-vgg19-{Guid.NewGuid():N}.h5");
        try
        {
            var m = new Sequential("small");
            m.Add(new InputLayer([32, 32, 3], name: "input_1"));
            m.Add(new Conv2D(4, 3, padding: "same", name: "block1_conv1"));
            KerasH5.Save(m, other);
            Assert.That(() => new Vgg19StyleBackbone(other, 32, 32, Device.Cpu), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not a VGG19 notop weights file"));
        }
        finally { File.Delete(other); }
        Assert.That(() => new Vgg19StyleBackbone(other, 32, 32, Device.Cpu), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("vgg19"));
    }

    private static void AssertClose(Tensor actual, Tensor expected)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape));
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        double scale = Math.Max(1e-6, e.Max(Math.Abs));
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(e[i]).Within(1e-4 * scale), $"element {i}");
    }
}
