using Chapters;

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
}
