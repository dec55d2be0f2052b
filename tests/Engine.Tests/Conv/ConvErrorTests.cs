using Engine.Functional;
using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>Bad input to conv, pooling and batch norm → exceptions that name the op and the shapes.</summary>
public class ConvErrorTests
{
    private static void Throws(TestDelegate action, params string[] fragments)
    {
        var ex = Assert.Catch<Exception>(action);
        Assert.That(ex, Is.InstanceOf<ArgumentException>().Or.InstanceOf<InvalidOperationException>());
        foreach (var f in fragments) Assert.That(ex!.Message, Does.Contain(f));
    }

    [Test]
    public void Conv2dRejectsWrongRankChannelMismatchAndOversizedKernel()
    {
        var w = Tensor.Zeros([4, 3, 3, 3]);
        Throws(() => F.Conv2d(Tensor.Zeros([3, 8, 8]), w), "Conv2d", "4-D input", "[3, 8, 8]");
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 8, 8]), Tensor.Zeros([4, 3, 3])), "Conv2d", "weight", "[4, 3, 3]");
        Throws(() => F.Conv2d(Tensor.Zeros([2, 2, 8, 8]), w), "Conv2d", "2 channels", "[2, 2, 8, 8]", "[4, 3, 3, 3]", "expects 3");
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 2, 2]), w), "Conv2d", "kernel 3×3", "padded input 2×2", "[1, 3, 2, 2]");
        Assert.DoesNotThrow(() => F.Conv2d(Tensor.Zeros([1, 3, 2, 2]), w, padding: 1));
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 8, 8]), w, Tensor.Zeros([3])), "Conv2d", "bias", "[4]", "[3]");
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 8, 8]), w, stride: 0), "Conv2d", "stride");
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 8, 8]), w, padding: -1), "Conv2d", "padding");
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 8, 8], DType.Float64), w), "Conv2d", "dtype");
        Throws(() => F.Conv2d(Tensor.Zeros([1, 3, 8, 8], DType.Int32), w), "Conv2d", "int32");
    }

    [Test]
    public void PoolingRejectsWrongRankOversizedWindowAndLargePadding()
    {
        Throws(() => F.MaxPool2d(Tensor.Zeros([4, 4]), 2), "MaxPool2d", "4-D input", "[4, 4]");
        Throws(() => F.AvgPool2d(Tensor.Zeros([1, 1, 4, 4, 1]), 2), "AvgPool2d", "4-D input", "[1, 1, 4, 4, 1]");
        Throws(() => F.MaxPool2d(Tensor.Zeros([1, 1, 3, 3]), 4), "MaxPool2d", "kernel 4×4", "padded input 3×3");
        Throws(() => F.AvgPool2d(Tensor.Zeros([1, 1, 8, 8]), 2, padding: 2), "AvgPool2d", "padding 2", "half the window 2×2");
        Throws(() => F.MaxPool2d(Tensor.Zeros([1, 1, 8, 8]), 2, stride: 0), "MaxPool2d", "stride");
        Throws(() => F.GlobalAvgPool2d(Tensor.Zeros([2, 3])), "GlobalAvgPool2d", "4-D input", "[2, 3]");
        Throws(() => F.Im2Col(Tensor.Zeros([1, 1, 2, 2]), 3, 3), "Im2Col", "kernel 3×3", "padded input 2×2");
        Throws(() => F.Col2Im(Tensor.Zeros([5, 9]), [1, 1, 4, 4], 3, 3), "Col2Im", "cols", "[4, 9]", "[5, 9]");
    }

    [Test]
    public void BatchNormRejectsBadShapesAndSingleValueBatches()
    {
        var c3 = Tensor.Zeros([3]);
        Throws(() => F.BatchNorm(Tensor.Zeros([4]), c3, Tensor.Ones([3]), training: true), "BatchNorm", "[N, C]", "[4]");
        Throws(() => F.BatchNorm(Tensor.Zeros([4, 2]), c3, Tensor.Ones([3])), "BatchNorm", "running_mean", "[2]", "[3]");
        Throws(() => F.BatchNorm(Tensor.Zeros([4, 3]), null, null), "BatchNorm", "eval mode", "running");
        Throws(() => F.BatchNorm(Tensor.Zeros([1, 3]), c3, Tensor.Ones([3]), training: true), "BatchNorm", "more than 1 value per channel", "[1, 3]");
        Throws(() => new BatchNorm2d(3).Forward(Tensor.Zeros([4, 3])), "BatchNorm2d", "4-D", "[4, 3]");
        Throws(() => new BatchNorm1d(3).Forward(Tensor.Zeros([4, 3, 2, 2])), "BatchNorm1d", "[4, 3, 2, 2]");
        Throws(() => new BatchNorm2d(3).Forward(Tensor.Zeros([2, 4, 2, 2])), "BatchNorm", "[3]", "4 channels");
    }

    [Test]
    public void ModulesRejectBadHyperparameters()
    {
        Throws(() => new Conv2d(0, 4, 3), "Conv2d", "in_channels");
        Throws(() => new Conv2d(1, 4, 0), "Conv2d", "kernel_size");
        Throws(() => new Conv2d(1, 4, 3, stride: 0), "Conv2d", "stride");
        Throws(() => new MaxPool2d(0), "MaxPool2d", "kernel_size");
        Throws(() => new AvgPool2d(2, stride: -1), "AvgPool2d", "stride");
        Throws(() => new BatchNorm1d(0), "BatchNorm1d", "num_features");
        Throws(() => new Conv2d(3, 4, 5).Forward(Tensor.Zeros([1, 1, 28, 28])), "Conv2d", "1 channels", "expects 3");
    }
}
