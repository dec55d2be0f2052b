using NUnit.Framework;

namespace Engine.Tests.Autograd;

/// <summary>Bad use of autograd gives exceptions that name the op and the shapes.</summary>
public class AutogradErrorTests
{
    [Test]
    public void BackwardOnNonScalarWithoutGradientNamesTheShape()
    {
        var w = Tensor.Ones([2, 3]).RequiresGrad_();
        var y = w * 2;
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("Backward").And.Contain("MulScalar").And.Contain("[2, 3]").And.Contain("scalar"));
    }

    [Test]
    public void BackwardWithGradientOfWrongShapeNamesBothShapes()
    {
        var w = Tensor.Ones([2, 3]).RequiresGrad_();
        var y = w * 2;
        var ex = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones([3, 2])));
        Assert.That(ex!.Message, Does.Contain("[3, 2]").And.Contain("[2, 3]"));
        var ex2 = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones([2, 3], DType.Float64)));
        Assert.That(ex2!.Message, Does.Contain("float64").And.Contain("float32").And.Contain("[2, 3]"));
    }

    [Test]
    public void ShapeMismatchNamesTheOpAndShapes()
    {
        var a = Tensor.Ones([2, 3]);
        var b = Tensor.Ones([4]);
        var ex = Assert.Throws<ArgumentException>(() => _ = a + b);
        Assert.That(ex!.Message, Does.Contain("Add").And.Contain("[2, 3]").And.Contain("[4]"));
        var mm = Assert.Throws<ArgumentException>(() => a.MatMul(Tensor.Ones([2, 3])));
        Assert.That(mm!.Message, Does.Contain("MatMul").And.Contain("[2, 3]"));
        var mse = Assert.Throws<ArgumentException>(() => new Engine.Nn.MSELoss().Forward(Tensor.Ones([4, 1]), Tensor.Ones([4])));
        Assert.That(mse!.Message, Does.Contain("MSELoss").And.Contain("[4, 1]").And.Contain("[4]"));
    }

    /// <summary>Storage that claims to live on cuda:0 (no memory), to check the device test without a GPU.</summary>
    private sealed class ElsewhereStorage(long length) : Storage(Device.Cuda(0), DType.Float32, length)
    {
        protected override void Free() { }
    }

    [Test]
    public void MixedDevicesNameTheOpDevicesAndShapes()
    {
        var cpu = Tensor.Ones([2, 3]);
        var gpu = new Tensor(new ElsewhereStorage(6), [2, 3]);
        var ex = Assert.Throws<InvalidOperationException>(() => _ = cpu * gpu);
        Assert.That(ex!.Message, Does.Contain("Mul").And.Contain("cpu").And.Contain("cuda:0").And.Contain("[2, 3]"));
        var mm = Assert.Throws<InvalidOperationException>(() => cpu.MatMul(gpu, transB: true));
        Assert.That(mm!.Message, Does.Contain("MatMul").And.Contain("cuda:0"));
        var ce = Assert.Throws<InvalidOperationException>(() => Functional.F.CrossEntropy(Tensor.Ones([2, 3]), new Tensor(new ElsewhereStorage(6), [2, 3])));
        Assert.That(ce!.Message, Does.Contain("CrossEntropyLoss").And.Contain("cuda:0"));
    }

    [Test]
    public void DisposedInputNamesTheOpAndShape()
    {
        var a = Tensor.Ones([2, 3]);
        var b = Tensor.Ones([2, 3]);
        b.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => _ = a + b);
        Assert.That(ex!.Message, Does.Contain("Add").And.Contain("[2, 3]").And.Contain("disposed"));
        var ex2 = Assert.Throws<ObjectDisposedException>(() => b.Relu());
        Assert.That(ex2!.Message, Does.Contain("Relu").And.Contain("[2, 3]"));
    }

    [Test]
    public void TensorDisposedBeforeBackwardNamesTheNode()
    {
        var w = Tensor.Ones([3, 2]).RequiresGrad_();
        var x = Tensor.Ones([4, 3]);
        var loss = x.MatMul(w).Sum();
        x.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => loss.Backward());
        Assert.That(ex!.Message, Does.Contain("MatMul").And.Contain("[4, 3]").And.Contain("[3, 2]"));
    }

    [Test]
    public void BackwardOnDisposedTensorSaysSo()
    {
        var w = Tensor.Ones([2]).RequiresGrad_();
        var s = w.Sum();
        s.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => s.Backward());
        Assert.That(ex!.Message, Does.Contain("Backward"));
    }
}
