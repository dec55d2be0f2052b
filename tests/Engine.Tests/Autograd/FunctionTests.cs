using NUnit.Framework;

namespace Engine.Tests.Autograd;

public class FunctionTests
{
    /// <summary>PyTorch's tutorial MyReLU.</summary>
    private sealed class MyReLU : Function<MyReLU>
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0]);
            return inputs[0].Clamp(min: 0);
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput * ctx.SavedTensors[0].Greater(0)];
    }

    /// <summary>x·y with a hand-written backward for both inputs and a constant kept in ctx.Values.</summary>
    private sealed class ScaledMul : Function<ScaledMul>
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            ctx.SaveForBackward(inputs[0], inputs[1]);
            ctx.Values["scale"] = 3.0;
            return inputs[0] * inputs[1] * 3.0;
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor g)
        {
            var (a, b) = (ctx.SavedTensors[0], ctx.SavedTensors[1]);
            double s = (double)ctx.Values["scale"];
            return [ctx.NeedsInputGrad[0] ? g * b * s : null, ctx.NeedsInputGrad[1] ? g * a * s : null];
        }
    }

    private sealed class WrongCount : Function<WrongCount>
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0] * 2;
        public override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g, g];
    }

    private sealed class WrongShape : Function<WrongShape>
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0].Sum();
        public override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g.Reshape(1)];
    }

    private sealed class Passthrough : Function<Passthrough>
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0];
        public override Tensor?[] Backward(FunctionContext ctx, Tensor g) => [g * 5];
    }

    [Test]
    public void MyReLUGradientMatchesCentralDifferences() =>
        GradCheck.Check(t => MyReLU.Apply(t[0]), [GradCheck.Rand([3, 4])], what: "MyReLU");

    [Test]
    public void TwoInputFunctionGradientMatchesCentralDifferences() =>
        GradCheck.Check(t => ScaledMul.Apply(t[0], t[1]), [GradCheck.Rand([2, 3], seed: 2), GradCheck.Rand([2, 3], seed: 3)], what: "ScaledMul");

    [Test]
    public void MyReLUEqualsBuiltInRelu()
    {
        var x1 = GradCheck.Rand([5, 4]).RequiresGrad_();
        var x2 = x1.Detach().Clone().RequiresGrad_();
        var r = GradCheck.Rand([5, 4], seed: 9);
        (MyReLU.Apply(x1) * r).Sum().Backward();
        (x2.Relu() * r).Sum().Backward();
        Assert.That(x1.Grad!.ToArray<double>(), Is.EqualTo(x2.Grad!.ToArray<double>()));
        Assert.That(MyReLU.Apply(x1).GradFn!.Name, Is.EqualTo("MyReLU"));
    }

    [Test]
    public void WrongNumberOfGradientsIsNamed()
    {
        var x = Tensor.Ones([2]).RequiresGrad_();
        var ex = Assert.Throws<InvalidOperationException>(() => WrongCount.Apply(x).Sum().Backward());
        Assert.That(ex!.Message, Does.Contain("WrongCount.Backward returned 2"));
    }

    [Test]
    public void WrongGradientShapeIsNamed()
    {
        var x = Tensor.Ones([2, 2]).RequiresGrad_();
        var ex = Assert.Throws<InvalidOperationException>(() => WrongShape.Apply(x).Backward());
        Assert.That(ex!.Message, Does.Contain("WrongShape.Backward").And.Contain("[1]").And.Contain("[2, 2]"));
    }

    [Test]
    public void SavedTensorDisposedBeforeBackwardIsNamed()
    {
        var w = Tensor.Ones([3]).RequiresGrad_();
        var h = w * 2;
        var y = MyReLU.Apply(h).Sum();
        h.Dispose();
        var ex = Assert.Throws<ObjectDisposedException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("MyReLU"));
    }

    [Test]
    public void OutputThatIsTheInputGetsItsOwnHistory()
    {
        var x = Tensor.Ones([2]).RequiresGrad_();
        var y = Passthrough.Apply(x);
        Assert.That(ReferenceEquals(x, y), Is.False);
        Assert.That(x.IsLeaf, Is.True);
        y.Sum().Backward();
        Assert.That(x.Grad!.ToArray<float>(), Is.EqualTo(new float[] { 5, 5 }));
    }

    [Test]
    public void ForwardRunsWithoutRecording()
    {
        var x = Tensor.Ones([2]).RequiresGrad_();
        var y = MyReLU.Apply(x);
        Assert.That(y.GradFn!.Inputs, Has.Length.EqualTo(1));
        Assert.That(ReferenceEquals(y.GradFn.Inputs[0], x), Is.True);
    }
}
