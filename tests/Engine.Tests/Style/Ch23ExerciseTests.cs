using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>The SPEC checks of 23.1 and 23.2 (det: content loss on fixed tensors; Gram permutation and shape).</summary>
public class Ch23ExerciseTests
{
    [TestCase("23.1")]
    [TestCase("23.2")]
    public void ExerciseChecksPass(string id)
    {
        var ctx = TestRun.Exercise(id);
        Assert.That(ctx.Checks, Is.Not.Empty);
        foreach (var c in ctx.Checks) Assert.That(c.Pass, Is.True, $"{c.What}: book {c.Book}, engine {c.Engine}");
    }
}
