using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>Shapes flow from the first layer's inputShape; a layer that cannot take its input is refused at Add, naming both layers.</summary>
public class ShapeInferenceTests
{
    [Test]
    public void ShapesAreInferredAfterTheFirstLayer()
    {
        var m = SummaryTests.BookConvnet();
        Assert.That(m.Layers.Select(l => Layer.ShapeText(l.OutputShape)), Is.EqualTo(new[]
        {
            "(None, 24, 24, 8)", "(None, 12, 12, 8)", "(None, 8, 8, 16)", "(None, 4, 4, 16)", "(None, 256)", "(None, 10)",
        }));
        Assert.That(m.Layers.Select(l => l.CountParams()), Is.EqualTo(new long[] { 208, 0, 3216, 0, 0, 2570 }));
        Assert.That(m.CountParams(), Is.EqualTo(5994));
    }

    [Test]
    public void AConvAfterFlattenNamesBothLayersAndTheShape()
    {
        var m = new Sequential();
        m.Add(new Conv2D(4, 3, inputShape: [8, 8, 1]));
        m.Add(new Flatten());
        var ex = Assert.Throws<ArgumentException>(() => m.Add(new Conv2D(4, 3)));
        Assert.That(ex!.Message, Does.Contain("conv2d_2 (Conv2D)").And.Contain("flatten_1 (Flatten)").And.Contain("(None, 144)"));
    }

    [Test]
    public void AKernelLargerThanTheImageIsRefused()
    {
        var m = new Sequential();
        m.Add(new Conv2D(4, 5, inputShape: [6, 6, 1]));
        m.Add(new MaxPooling2D((2, 2)));
        var ex = Assert.Throws<ArgumentException>(() => m.Add(new Conv2D(2, 3)));
        Assert.That(ex!.Message, Does.Contain("max_pooling2d_1 (MaxPooling2D)").And.Contain("(None, 1, 1, 4)").And.Contain("conv2d_2"));
    }

    [Test]
    public void ADeclaredInputShapeThatDisagreesIsRefused()
    {
        var m = new Sequential();
        m.Add(new Dense(5, inputShape: [3]));
        var ex = Assert.Throws<ArgumentException>(() => m.Add(new Dense(2, inputShape: [4])));
        Assert.That(ex!.Message, Does.Contain("dense_2").And.Contain("(None, 4)").And.Contain("dense_1").And.Contain("(None, 5)"));
    }

    [Test]
    public void AModelWithoutInputShapeBuildsOnFirstCall()
    {
        var m = new Sequential();
        m.Add(new Dense(3, activation: "relu"));
        m.Add(new Dense(1));
        Assert.That(m.InputShape, Is.Null);
        var y = m.Predict(Tensor.Ones([5, 7]));
        Assert.That(y.Shape, Is.EqualTo(new[] { 5, 1 }));
        Assert.That(m.GetLayer("dense_1").CountParams(), Is.EqualTo(24));
        Assert.Throws<ArgumentException>(() => m.Predict(Tensor.Ones([5, 6])));
    }

    [Test]
    public void BadArgumentsGiveClearErrors()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new Dense(3, activation: "swishy"))!.Message, Does.Contain("unknown activation 'swishy'"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0));
        Assert.Throws<ArgumentException>(() => new Conv2D(3, 3, padding: "full"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.0));
        var m = new Sequential();
        m.Add(new Dense(2, inputShape: [3], name: "a"));
        Assert.Throws<ArgumentException>(() => m.Add(new Dense(2, name: "a")));
        Assert.That(Assert.Throws<ArgumentException>(() => m.GetLayer("zz"))!.Message, Does.Contain("a"));
        Assert.That(Assert.Throws<ArgumentException>(() => m.Compile("adamw", "meanSquaredError"))!.Message, Does.Contain("adamw"));
        Assert.That(Assert.Throws<ArgumentException>(() => m.Compile("sgd", "hinge"))!.Message, Does.Contain("hinge"));
        Assert.Throws<InvalidOperationException>(() => m.Fit(Tensor.Ones([4, 3]), Tensor.Ones([4, 2]), verbose: 0));
        m.Compile("sgd", "mse");
        Assert.Throws<ArgumentException>(() => m.Fit(Tensor.Ones([4, 3]), Tensor.Ones([5, 2]), verbose: 0));
    }
}
