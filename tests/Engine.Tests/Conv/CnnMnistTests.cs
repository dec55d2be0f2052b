using Chapters.Ch20;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>Exercise 20.4.2 on a short schedule: 6000 training images, 2 epochs, batch 32, 1000 test images.</summary>
public class CnnMnistTests
{
    [Test]
    public void ShortRunLearnsMnist()
    {
        var ctx = TestRun.Exercise("20.4.2", quick: true, ("train", "6000"), ("test", "1000"), ("epochs", "2"), ("batch", "32"));
        Assert.That(ctx.Checks, Has.Count.EqualTo(1));
        var check = ctx.Checks[0];
        Assert.That(check.Pass, Is.True, $"{check.What}: book {check.Book}, engine {check.Engine}");
        Assert.That(double.Parse(check.Engine, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(0.90));
    }

    [Test]
    public void ModelHasTheChapterShape()
    {
        var model = Ex20_4_2_CnnMnist.Model(new Generator(0), Device.Cpu);
        // conv1 1·16·25 + 16, conv2 16·32·25 + 32, linear 1568·10 + 10
        Assert.That(model.ParameterCount, Is.EqualTo(16 * 25 + 16 + 16 * 32 * 25 + 32 + 1568 * 10 + 10));
        using var y = model.Forward(Tensor.Zeros([2, 1, 28, 28]));
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 10 }));
    }
}
