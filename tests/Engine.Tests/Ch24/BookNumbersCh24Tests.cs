using Chapters;
using NUnit.Framework;

namespace Engine.Tests.Ch24;

/// <summary>The det numbers SPEC.md lists for chapter 24, asserted through the exercises themselves.</summary>
public class BookNumbersCh24Tests
{
    [TestCase("24.1")]
    public void ExerciseMatchesTheBook(string id)
    {
        var ctx = TestRun.Exercise(id);
        Assert.That(ctx.Checks, Is.Not.Empty);
        foreach (var c in ctx.Checks) Assert.That(c.Engine, Is.EqualTo(c.Book), c.What);
    }
}
