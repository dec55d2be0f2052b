using Engine.Functional;
using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Reliability;

/// <summary>
/// Hostile inputs through the public API: sizes that wrap, empty and rank-0 tensors,
/// Flatten, BCE outside [0, 1], a second backward through a released graph. Expected behaviour is PyTorch's.
/// </summary>
public class HostileFindingsTests
{
    private static void ThrowsNaming<T>(string op, TestDelegate call) where T : Exception
    {
        var ex = Assert.Catch<T>(call);
        Assert.That(ex!.Message, Does.Contain(op));
    }

    [Test]
    public void ConvolutionWithAPaddingThatWouldWrapTheOutputSizeIsRefused()
    {
        var x = Tensor.Zeros([1, 1, 1, 1]);
        var w = Tensor.Zeros([1, 1, 1, 1]);
        ThrowsNaming<ArgumentException>("Conv2d", () => F.Conv2d(x, w, null, 1, padding: 32768));
        ThrowsNaming<ArgumentException>("Im2Col", () => F.Im2Col(x, 1, 1, 1, 32768));
        ThrowsNaming<ArgumentException>("Conv2d", () => F.Conv2d(x, w, null, 1, padding: int.MaxValue));
        ThrowsNaming<ArgumentException>("Col2Im", () => F.Col2Im(Tensor.Zeros([1, 1]), [1, 1, 1, 1], 1, 1, 1, 40000));
        var conv = new Engine.Scratch.Convolution(w, Tensor.Zeros([1]), 1, 32768);
        ThrowsNaming<ArgumentException>("Convolution", () => conv.Forward(x));
        ThrowsNaming<ArgumentException>("SimpleConvNet", () => new Engine.Scratch.SimpleConvNet(pad: int.MaxValue / 2));
    }

    [Test]
    public void CreationWithAHugeShapeNamesTheOp()
    {
        ThrowsNaming<ArgumentException>("Zeros", () => Tensor.Zeros([1 << 30, 1 << 30, 16]));
        ThrowsNaming<ArgumentException>("Ones", () => Tensor.Ones([1 << 30, 1 << 30, 16]));
        ThrowsNaming<ArgumentException>("Full", () => Tensor.Full([1 << 30, 1 << 30, 16], 2));
        ThrowsNaming<ArgumentException>("Rand", () => Tensor.Rand([1 << 30, 1 << 30, 16]));
        ThrowsNaming<ArgumentException>("Randn", () => Tensor.Randn([65536, 65536]));
        ThrowsNaming<ArgumentException>("Arange", () => Tensor.Arange(int.MaxValue));
        ThrowsNaming<ArgumentException>("Arange", () => Tensor.Arange(-1));
        ThrowsNaming<ArgumentException>("Zeros", () => Tensor.Zeros([2, -3]));
        ThrowsNaming<ArgumentException>("Expand", () => Tensor.Zeros([1, 1]).Expand([1 << 30, 1 << 30]));
        ThrowsNaming<ArgumentException>("Reshape", () => Tensor.Zeros([1]).Reshape(1 << 30, 1 << 30, 16));
        Assert.That(Tensor.Zeros([0]).Reshape(1 << 30, 1 << 30, 16, 0).Shape, Is.EqualTo(new[] { 1 << 30, 1 << 30, 16, 0 }));
        ThrowsNaming<ArgumentException>("Reshape", () => Tensor.Zeros([4]).Reshape(-1, -1));
        ThrowsNaming<ArgumentException>("Add", () => Tensor.Zeros([1 << 16, 1]).Add(Tensor.Zeros([1, 1 << 16])));
        Assert.That(Tensor.Zeros([1 << 30, 0, 1 << 30]).Size, Is.EqualTo(0));
    }

    [Test]
    public void EmptyTensorsBroadcastReduceAndBackwardAsPyTorch()
    {
        var y = Tensor.Zeros([0]).Add(Tensor.Zeros([1]));
        Assert.That(y.Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.Zeros([1]).Mul(Tensor.Zeros([0])).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(Tensor.Zeros([3, 1]).Add(Tensor.Zeros([0])).Shape, Is.EqualTo(new[] { 3, 0 }));

        var linear = new Linear(3, 2);
        var out0 = linear.Forward(Tensor.Zeros([0, 3]));
        Assert.That(out0.Shape, Is.EqualTo(new[] { 0, 2 }));
        out0.Sum().Backward();
        Assert.That(linear.Weight.Grad!.ToDoubleArray(), Is.All.EqualTo(0));
        Assert.That(linear.Bias!.Grad!.ToDoubleArray(), Is.All.EqualTo(0));

        var x = Tensor.Zeros([0, 3]).RequiresGrad_();
        var s = x.Sum();
        Assert.That(s.Item(), Is.EqualTo(0));
        s.Backward();
        Assert.That(x.Grad!.Shape, Is.EqualTo(new[] { 0, 3 }));
        Assert.That(Tensor.Zeros([0, 3]).Sum(0).ToDoubleArray(), Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(Tensor.Zeros([0, 3]).Max(1).Shape, Is.EqualTo(new[] { 0 }));

        ThrowsNaming<ArgumentException>("Max", () => Tensor.Zeros([0]).Max());
        ThrowsNaming<ArgumentException>("Min", () => Tensor.Zeros([2, 0]).Min());
        ThrowsNaming<ArgumentException>("Max", () => Tensor.Zeros([0, 3]).Max(0));
        ThrowsNaming<ArgumentException>("ArgMax", () => Tensor.Zeros([3, 0]).ArgMax(1));
        Assert.That(Tensor.Zeros([0, 3]).ArgMax(1).Shape, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void MatMulWithAnEmptyInnerDimensionIsZeros()
    {
        var y = Tensor.Ones([2, 0]).MatMul(Tensor.Ones([0, 3]));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(y.ToDoubleArray(), Is.All.EqualTo(0));
    }

    [Test]
    public void ScalarsReduceAlongDimZeroOrMinusOne()
    {
        var s = Tensor.Scalar(1.5);
        foreach (int d in new[] { 0, -1 })
        {
            Assert.That(s.Sum(d).Shape, Is.Empty);
            Assert.That(s.Sum(d).Item(), Is.EqualTo(1.5));
            Assert.That(s.Mean(d).Item(), Is.EqualTo(1.5));
            Assert.That(s.Max(d, keepDim: true).Item(), Is.EqualTo(1.5));
            Assert.That(s.Max(d, keepDim: true).Shape, Is.Empty);
            Assert.That(s.ArgMax(d).Item(), Is.EqualTo(0));
            Assert.That(s.Transpose(d, 0).Item(), Is.EqualTo(1.5));
        }
        Assert.That(s.Transpose(0, 0).Shape, Is.Empty);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Sum(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Transpose(0, -2));
        ThrowsNaming<ArgumentOutOfRangeException>("Dim", () => s.Dim(0));

        var w = Tensor.Scalar(2.0).RequiresGrad_();
        (w * 3).Sum(0).Backward();
        Assert.That(w.Grad!.Item(), Is.EqualTo(3));
    }

    [Test]
    public void FlattenFollowsTorchFlatten()
    {
        var x = Tensor.Zeros([2, 3, 4]);
        Assert.That(x.Flatten(-1).Shape, Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(x.Flatten(-2).Shape, Is.EqualTo(new[] { 2, 12 }));
        Assert.That(x.Flatten(0).Shape, Is.EqualTo(new[] { 24 }));
        Assert.That(Tensor.Zeros([0, 3, 2]).Flatten(1).Shape, Is.EqualTo(new[] { 0, 6 }));
        Assert.That(Tensor.Scalar(3).Flatten(0).Shape, Is.EqualTo(new[] { 1 }));
        Assert.That(Tensor.Scalar(3).Flatten(-1).Shape, Is.EqualTo(new[] { 1 }));
        ThrowsNaming<ArgumentOutOfRangeException>("Flatten", () => Tensor.Zeros([2, 3]).Flatten(5));
        ThrowsNaming<ArgumentOutOfRangeException>("Flatten", () => Tensor.Zeros([2, 3]).Flatten(-3));
        ThrowsNaming<ArgumentOutOfRangeException>("Flatten", () => Tensor.Zeros([5]).Flatten(1));
    }

    [Test]
    public void BinaryCrossEntropyRefusesValuesOutsideZeroOne()
    {
        var t = Tensor.FromArray(new float[] { 0, 1 });
        ThrowsNaming<ArgumentException>("BCELoss", () => F.BinaryCrossEntropy(Tensor.FromArray(new float[] { 0.5f, 1.5f }), t));
        ThrowsNaming<ArgumentException>("BCELoss", () => F.BinaryCrossEntropy(Tensor.FromArray(new float[] { -0.1f, 0.5f }), t));
        ThrowsNaming<ArgumentException>("BCELoss", () => F.BinaryCrossEntropy(Tensor.FromArray(new float[] { float.NaN, 0.5f }), t));
        double ok = F.BinaryCrossEntropy(Tensor.FromArray(new float[] { 0, 1 }), t).Item();
        Assert.That(ok, Is.EqualTo(0));
        Assert.That(F.BinaryCrossEntropy(Tensor.FromArray(new float[] { 1, 0 }), t).Item(), Is.EqualTo(100));
    }

    [Test]
    public void ASecondBackwardThroughAReleasedGraphThrowsUnlessRetained()
    {
        var w = Tensor.FromArray(new double[] { 1, 2 }).RequiresGrad_();
        var loss = (w * w).Sum();
        loss.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.That(ex!.Message, Does.Contain("second time").And.Contain("retainGraph"));
        Assert.That(w.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 2, 4 }), "the refused pass must not add to Grad");

        var v = Tensor.FromArray(new double[] { 1, 2 }).RequiresGrad_();
        var l2 = (v * v).Sum();
        l2.Backward(retainGraph: true);
        l2.Backward();
        Assert.That(v.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 4, 8 }));
        Assert.Throws<InvalidOperationException>(() => l2.Backward());

        // A new graph on the same leaves is fine.
        w.ZeroGrad();
        (w * 3).Sum().Backward();
        Assert.That(w.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 3, 3 }));
    }
}
