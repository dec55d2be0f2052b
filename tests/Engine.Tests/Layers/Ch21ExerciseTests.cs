using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>Every chapter 21 exercise runs and passes its SPEC checks (21.4.6 on the --quick subset).</summary>
public class Ch21ExerciseTests
{
    [TestCase("21.4.2")]
    [TestCase("21.4.3")]
    [TestCase("21.4.4")]
    [TestCase("21.4.5")]
    [TestCase("21.4.7")]
    [TestCase("21.7")]
    public void ExercisePassesItsChecks(string id)
    {
        var ctx = TestRun.Exercise(id);
        Assert.That(ctx.Checks, Is.Not.Empty);
        Assert.That(ctx.Checks.Where(c => !c.Pass).Select(c => $"{c.What}: book {c.Book}, engine {c.Engine}"), Is.Empty);
    }

    [Test]
    public void ConvnetOf2146QuickRunPrintsTheTableAndLearns()
    {
        var ctx = TestRun.Exercise("21.4.6");
        Assert.That(ctx.Checks.Where(c => !c.Pass).Select(c => $"{c.What}: book {c.Book}, engine {c.Engine}"), Is.Empty);
        Assert.That(ctx.Checks.Select(c => c.What), Does.Contain("Total params"));
        Assert.That(((StringWriter)ctx.Out).ToString(), Does.Contain("Total params: 5,994").And.Contain("12000/12000 [=============================="));
    }

    [Test]
    public void MinimizeMatchesTheBookInFloat32AndFloat64()
    {
        Assert.That(Chapters.Ch21.Ex21_4_7_Minimize.Solve(Device.Cpu, DType.Float32), Is.EqualTo(-0.16092407703399658).Within(1e-5));
        Assert.That(Chapters.Ch21.Ex21_4_7_Minimize.Solve(Device.Cpu, DType.Float64), Is.EqualTo(-0.1609241167).Within(1e-9));
    }

    [TestCase(0UL)]
    [TestCase(7UL)]
    public void LinearModelPredictsNine(ulong seed)
    {
        var (model, _) = Chapters.Ch21.Ex21_7_LinearModel.Train(seed);
        double y5 = Chapters.Ch21.Ex21_7_LinearModel.PredictOne(model, 5);
        Assert.That(y5, Is.GreaterThan(8.99).And.LessThan(9.0));
    }
}
