using Chapters;
using NUnit.Framework;

namespace Engine.Tests.Ch24;

/// <summary>The det numbers SPEC.md lists for chapter 24 and 20.3.1, asserted through the exercises themselves.</summary>
public class BookNumbersCh24Tests
{
    [TestCase("24.1", 4)]
    [TestCase("24.2", 6)]
    [TestCase("24.3", 5)]
    [TestCase("24.4", 12)]
    [TestCase("20.3.1", 11)]
    public void ExerciseMatchesTheBook(string id, int checks)
    {
        var ctx = TestRun.Exercise(id);
        Assert.That(ctx.Checks, Has.Count.EqualTo(checks));
        foreach (var c in ctx.Checks) Assert.That(c.Engine, Is.EqualTo(c.Book), c.What);
    }

    [Test]
    public void ByHandTinyPrintsTheBooksArrays()
    {
        var output = new StringWriter();
        var ctx = Cli.Context("20.3.1", new Dictionary<string, string> { ["out"] = Path.GetTempPath() }, output);
        ExerciseCatalog.Find("20.3.1").Run(ctx);
        string text = output.ToString();
        Assert.That(text, Does.Contain("h: [[0.4 0.7]]"));
        Assert.That(text, Does.Contain("loss: 3.8021"));
        Assert.That(text, Does.Contain("[[3.50000000e-07 1.00001394e-01]\n [2.00000700e-01 3.00002788e-01]]"));
        Assert.That(text, Does.Contain("[[6.88000000e-07 1.00001400e-01]\n [2.00001204e-01 3.00002450e-01]]"));
    }

    [Test]
    public void ByHandRandomLossFallsAThousandfold()
    {
        var ctx = TestRun.Exercise("20.3.2");
        Assert.That(ctx.Checks, Has.Count.EqualTo(2));
        foreach (var c in ctx.Checks) Assert.That(c.Pass, Is.True, $"{c.What}: {c.Engine}");
    }

    [Test]
    public void TwoLayerNetQuickRunLearnsMnist()
    {
        var ctx = TestRun.Exercise("24.5");
        // 4 gradient-check rows (≤ 1e-9 each), 2 accuracy rows (≥ 0.88 after 1200 iterations), loss falls
        Assert.That(ctx.Checks, Has.Count.EqualTo(7));
        foreach (var c in ctx.Checks) Assert.That(c.Pass, Is.True, $"{c.What}: {c.Engine}");
    }

    [Test]
    public void OptimizerComparisonQuickRun()
    {
        var ctx = TestRun.Exercise("24.6");
        // 4 toy end points (DLfS's NumPy numbers, 4 decimals) and SGD worst after 200 MNIST iterations
        Assert.That(ctx.Checks, Has.Count.EqualTo(5));
        foreach (var c in ctx.Checks) Assert.That(c.Pass, Is.True, $"{c.What}: {c.Engine}");
        Assert.That(File.Exists(Path.Combine(ctx.OutDir, "optimizer_compare_naive.png")), Is.True);
        Assert.That(File.Exists(Path.Combine(ctx.OutDir, "optimizer_compare_mnist.png")), Is.True);
    }
}
