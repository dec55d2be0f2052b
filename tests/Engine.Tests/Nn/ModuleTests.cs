using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Nn;

public class ModuleTests
{
    [Test]
    public void LinearDefaultInitIsUniformWithinOneOverSqrtFanIn()
    {
        var lin = new Linear(400, 300, generator: new Generator(7));
        double bound = 1 / Math.Sqrt(400);
        var w = lin.Weight.ToDoubleArray();
        var b = lin.Bias!.ToDoubleArray();
        Assert.That(w.Max(), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.98 * bound));
        Assert.That(w.Min(), Is.GreaterThanOrEqualTo(-bound).And.LessThan(-0.98 * bound));
        Assert.That(b.All(v => Math.Abs(v) <= bound), Is.True);
        // U(−b, b) has variance b²/3.
        double var = w.Select(v => v * v).Average();
        Assert.That(var, Is.EqualTo(bound * bound / 3).Within(0.02 * bound * bound));
        Assert.That(lin.Weight.Shape, Is.EqualTo(new[] { 300, 400 }));
        Assert.That(lin.ToString(), Is.EqualTo("Linear(in_features=400, out_features=300, bias=True)"));
    }

    [Test]
    public void InitSchemesHaveTheirVariances()
    {
        var t = Tensor.Zeros([200, 300], DType.Float64);
        double fanIn = 300, fanOut = 200;
        double Var() { var d = t.ToDoubleArray(); double m = d.Average(); return d.Select(v => (v - m) * (v - m)).Average(); }
        Init.KaimingUniform(t, nonlinearity: "relu", generator: new Generator(1));
        Assert.That(Var(), Is.EqualTo(2 / fanIn).Within(0.03 * 2 / fanIn));
        Init.KaimingNormal(t, nonlinearity: "relu", generator: new Generator(2));
        Assert.That(Var(), Is.EqualTo(2 / fanIn).Within(0.03 * 2 / fanIn));
        Init.XavierUniform(t, generator: new Generator(3));
        Assert.That(Var(), Is.EqualTo(2 / (fanIn + fanOut)).Within(0.03 * 2 / (fanIn + fanOut)));
        Init.XavierNormal(t, generator: new Generator(4));
        Assert.That(Var(), Is.EqualTo(2 / (fanIn + fanOut)).Within(0.03 * 2 / (fanIn + fanOut)));
        Init.Normal(t, 3, 0.5, new Generator(5));
        Assert.That(t.ToDoubleArray().Average(), Is.EqualTo(3).Within(0.01));
        Assert.That(Var(), Is.EqualTo(0.25).Within(0.01));
        Init.Zeros(t);
        Assert.That(t.ToDoubleArray().All(v => v == 0), Is.True);
        Init.Ones(t);
        Assert.That(t.ToDoubleArray().All(v => v == 1), Is.True);
        Assert.That(() => Init.XavierUniform(Tensor.Zeros([5])), Throws.ArgumentException.With.Message.Contains("[5]"));
    }

    [Test]
    public void DropoutDropsAboutPAndScalesTheRestInTrainingOnly()
    {
        var drop = new Dropout(0.25, new Generator(11));
        var x = Tensor.Ones([100, 100]);
        var y = drop.Forward(x).ToArray<float>();
        double kept = y.Count(v => v != 0) / (double)y.Length;
        Assert.That(kept, Is.EqualTo(0.75).Within(0.015));
        Assert.That(y.Where(v => v != 0).Distinct(), Is.EqualTo(new[] { (float)(1 / 0.75) }));
        drop.Eval();
        Assert.That(ReferenceEquals(drop.Forward(x), x), Is.True);
        Assert.That(() => new Dropout(1.5), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void SequentialNamesParametersLikePyTorch()
    {
        var net = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
        Assert.That(net.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }));
        Assert.That(net.ParameterCount, Is.EqualTo(3 * 4 + 4 + 4 * 2 + 2));
        Assert.That(net.Forward(Tensor.Ones([5, 3])).Shape, Is.EqualTo(new[] { 5, 2 }));
        Assert.That(net.ToString(), Does.StartWith("Sequential(\n  (0): Linear(in_features=3"));
        Assert.That(new Flatten().Forward(Tensor.Ones([2, 3, 4])).Shape, Is.EqualTo(new[] { 2, 12 }));
    }

    [Test]
    public void LossValuesMatchHandComputation()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, [2, 2]);
        var b = Tensor.FromArray(new double[] { 0, 2, 5, 4 }, [2, 2]);
        Assert.That(new MSELoss().Forward(a, b).Item(), Is.EqualTo(5 / 4.0));
        Assert.That(new MSELoss("sum").Forward(a, b).Item(), Is.EqualTo(5.0));
        Assert.That(new MSELoss("none").Forward(a, b).ToArray<double>(), Is.EqualTo(new double[] { 1, 0, 4, 0 }));
        var p = Tensor.FromArray(new double[] { 0.9, 0.2 });
        var t = Tensor.FromArray(new double[] { 1, 0 });
        Assert.That(new BCELoss().Forward(p, t).Item(), Is.EqualTo(-(Math.Log(0.9) + Math.Log(0.8)) / 2).Within(1e-12));
        Assert.That(new BCELoss().Forward(Tensor.FromArray(new double[] { 0.0 }), Tensor.FromArray(new double[] { 1.0 })).Item(), Is.EqualTo(100));
    }
}
