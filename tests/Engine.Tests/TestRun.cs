using Chapters;
using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Runs an exercise of the chapters app in-process with its output captured.</summary>
public static class TestRun
{
    public static ExerciseContext Exercise(string id, bool quick = true, params (string Name, string Value)[] options)
    {
        var dict = options.ToDictionary(o => o.Name, o => o.Value);
        dict["out"] = Path.Combine(Path.GetTempPath(), "engine-tests-out");
        if (quick) dict["quick"] = "true";
        var output = new StringWriter();
        var ctx = Cli.Context(id, dict, output);
        ExerciseCatalog.Find(id).Run(ctx);
        return ctx;
    }

    /// <summary>Asserts the exercise recorded checks and every one passed (each failure names what, the book's value and the engine's).</summary>
    public static void AssertAllChecksPass(ExerciseContext ctx)
    {
        Assert.That(ctx.Checks, Is.Not.Empty);
        foreach (var c in ctx.Checks) Assert.That(c.Pass, Is.True, $"{c.What}: book {c.Book}, engine {c.Engine}");
    }
}
