using Engine.Functional;
using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>Conv2d / pooling / BatchNorm modules: shapes, PyTorch's init bounds, printing, buffers and modes.</summary>
public class ConvModuleTests
{
    [Test]
    public void Conv2dHasPyTorchShapesInitAndPrint()
    {
        var conv = new Conv2d(3, 8, 5, stride: 1, padding: 2, generator: new Generator(1));
        Assert.That(conv.Weight.Shape, Is.EqualTo(new[] { 8, 3, 5, 5 }));
        Assert.That(conv.Bias!.Shape, Is.EqualTo(new[] { 8 }));
        double bound = 1 / Math.Sqrt(3 * 25);
        var w = conv.Weight.ToDoubleArray();
        Assert.That(w.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.8 * bound));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-0.8 * bound));
        Assert.That(conv.Bias.ToDoubleArray().Select(Math.Abs).Max(), Is.LessThanOrEqualTo(bound));
        Assert.That(conv.ToString(), Is.EqualTo("Conv2d(3, 8, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"));
        Assert.That(new Conv2d(1, 2, (3, 2), bias: false).ToString(), Is.EqualTo("Conv2d(1, 2, kernel_size=(3, 2), stride=(1, 1), bias=False)"));
        Assert.That(conv.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        using var y = conv.Forward(Tensor.Zeros([2, 3, 28, 28]));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 8, 28, 28 }));
        using var y2 = new Conv2d(3, 4, 3, stride: 2).Forward(Tensor.Zeros([1, 3, 9, 8]));
        Assert.That(y2.Shape, Is.EqualTo(new[] { 1, 4, 4, 3 }));
    }

    [Test]
    public void Conv2dWithAOneHotKernelShiftsTheImage()
    {
        // A 3×3 kernel with a single 1 at (0, 0) and padding 1 moves every pixel one step down-right.
        var w = Tensor.Zeros([1, 1, 3, 3], DType.Float64);
        w.Span<double>()[0] = 1;
        var x = Tensor.FromArray(Enumerable.Range(1, 9).Select(v => (double)v).ToArray(), [1, 1, 3, 3]);
        var y = F.Conv2d(x, w, null, 1, 1).ToArray<double>();
        Assert.That(y, Is.EqualTo(new double[] { 0, 0, 0, 0, 1, 2, 0, 4, 5 }));
    }

    [Test]
    public void PoolingModulesComputeWindowsAndPrint()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 16).Select(v => (double)v).ToArray(), [1, 1, 4, 4]);
        Assert.That(new MaxPool2d(2).Forward(x).ToArray<double>(), Is.EqualTo(new double[] { 5, 7, 13, 15 }));
        Assert.That(new AvgPool2d(2).Forward(x).ToArray<double>(), Is.EqualTo(new double[] { 2.5, 4.5, 10.5, 12.5 }));
        Assert.That(new GlobalAvgPool2d().Forward(x).ToArray<double>(), Is.EqualTo(new double[] { 7.5 }));
        Assert.That(new GlobalAvgPool2d(keepDim: true).Forward(x).Shape, Is.EqualTo(new[] { 1, 1, 1, 1 }));
        Assert.That(new MaxPool2d(2).ToString(), Is.EqualTo("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"));
        Assert.That(new AvgPool2d(3, 1, 1).ToString(), Is.EqualTo("AvgPool2d(kernel_size=3, stride=1, padding=1)"));
    }

    [Test]
    public void BatchNorm2dTracksRunningStatsAndUsesThemInEval()
    {
        var bn = new BatchNorm2d(2, dtype: DType.Float64);
        Assert.That(bn.ToString(), Is.EqualTo("BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"));
        Assert.That(bn.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias", "running_mean", "running_var" }));
        // Channel 0 holds 1..8, channel 1 holds 10·(1..8): mean 4.5 / 45, unbiased var 6 / 600.
        var data = new double[16];
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 4; k++)
            {
                data[(n * 2 + 0) * 4 + k] = n * 4 + k + 1;
                data[(n * 2 + 1) * 4 + k] = 10 * (n * 4 + k + 1);
            }
        var x = Tensor.FromArray(data, [2, 2, 2, 2]);
        var y = bn.Forward(x);
        Assert.That(y.Mean().Item(), Is.EqualTo(0).Within(1e-12));
        Assert.That(bn.RunningMean.ToArray<double>(), Is.EqualTo(new[] { 0.45, 4.5 }).Within(1e-12));
        Assert.That(bn.RunningVar.ToArray<double>(), Is.EqualTo(new[] { 0.9 + 0.1 * 6, 0.9 + 0.1 * 600 }).Within(1e-9));
        bn.Eval();
        var ye = bn.Forward(x).ToArray<double>();
        Assert.That(ye[0], Is.EqualTo((1 - 0.45) / Math.Sqrt(1.5 + 1e-5)).Within(1e-12));
        Assert.That(bn.RunningMean.ToArray<double>(), Is.EqualTo(new[] { 0.45, 4.5 }).Within(1e-12), "eval leaves the running stats alone");
    }

    [Test]
    public void BatchNorm1dNormalisesEachFeature()
    {
        var bn = new BatchNorm1d(3, dtype: DType.Float64);
        var x = Tensor.FromArray(new double[] { 1, 10, 100, 3, 20, 300 }, [2, 3]);
        var y = bn.Forward(x).ToArray<double>();
        double e = 1 / Math.Sqrt(1 + 1e-5);
        Assert.That(y, Is.EqualTo(new[] { -e, -1 / Math.Sqrt(1 + 1e-5 / 25), -1 / Math.Sqrt(1 + 1e-5 / 10000), e, 1 / Math.Sqrt(1 + 1e-5 / 25), 1 / Math.Sqrt(1 + 1e-5 / 10000) }).Within(1e-9));
        Assert.That(bn.ParameterCount, Is.EqualTo(6));
    }

    [Test]
    public void InferenceWithoutGradKeepsNoGraph()
    {
        var conv = new Conv2d(1, 2, 3, generator: new Generator(3));
        using (Tensor.NoGrad())
        {
            var y = conv.Forward(Tensor.Zeros([1, 1, 5, 5]));
            Assert.That(y.GradFn, Is.Null);
        }
        var y2 = conv.Forward(Tensor.Zeros([1, 1, 5, 5]));
        Assert.That(y2.GradFn!.ToString(), Does.Contain("Conv2d"));
    }
}
