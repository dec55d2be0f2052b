using System.Diagnostics;
using Chapters;
using Chapters.Bench;
using NUnit.Framework;

namespace Engine.Tests.CommandLine;

/// <summary>`--help` of every verb and sub-verb prints its usage and options, exits 0 and runs nothing.</summary>
public class CliHelpTests
{
    [Test]
    public void EveryVerbHasHelp()
    {
        foreach (var verb in Command.All)
            foreach (var form in new[] { new[] { verb.Name, "--help" }, new[] { verb.Name, "-h" }, new[] { "help", verb.Name } })
            {
                var (code, stdout, stderr) = CliCapture.Run(form);
                string what = string.Join(" ", form);
                Assert.That(code, Is.Zero, what + ": " + stderr);
                Assert.That(stdout, Does.StartWith($"usage: chapters {verb.Name}"), what);
                Assert.That(stdout, Does.Contain(verb.Summary.Split('\n')[0]), what);
                Assert.That(stdout, Does.Contain("--help"), what);
                Assert.That(stderr, Is.Empty, what);
            }
        Assert.That(Command.All.Select(c => c.Name), Is.SupersetOf(new[] { "all", "bench", "devices", "gpu-check", "help", "launch", "list", "run" }));
    }

    [Test]
    public void EveryBenchSuiteHasHelpAndDoesNotRun()
    {
        foreach (var suite in BenchSuite.All)
        {
            var clock = Stopwatch.StartNew();
            var (code, stdout, _) = CliCapture.Run("bench", suite.Name, "--help");
            Assert.That(code, Is.Zero, suite.Name);
            Assert.That(stdout, Does.StartWith($"usage: chapters bench {suite.Name}"));
            Assert.That(stdout, Does.Contain(suite.Title));
            foreach (var option in suite.OptionNames) Assert.That(stdout, Does.Contain("--" + option), $"{suite.Name} lists --{option}");
            Assert.That(stdout, Does.Not.Contain("load average").And.Not.Contain("GFLOP/s"), "help must not start the benchmark");
            Assert.That(clock.Elapsed.TotalSeconds, Is.LessThan(10), "help must not start the benchmark");
        }
        var (c, all, _) = CliCapture.Run("bench", "--help");
        Assert.That(c, Is.Zero);
        foreach (var suite in BenchSuite.All) Assert.That(all, Does.Contain(suite.Title));
    }

    [Test]
    public void EveryExerciseHasHelp()
    {
        foreach (var exercise in ExerciseCatalog.All)
        {
            var (code, stdout, _) = CliCapture.Run("run", exercise.Id, "--help");
            Assert.That(code, Is.Zero, exercise.Id);
            Assert.That(stdout, Does.StartWith($"usage: chapters run {exercise.Id}"));
            Assert.That(stdout, Does.Contain(exercise.Title));
            foreach (var option in RunCommand.Common.Concat(exercise.OptionNames))
                Assert.That(stdout, Does.Contain("--" + option), $"{exercise.Id} lists --{option}");
        }
    }

    [Test]
    public void HelpAloneListsEveryVerb()
    {
        foreach (var args in new[] { new[] { "--help" }, new[] { "-h" }, new[] { "help" } })
        {
            var (code, stdout, _) = CliCapture.Run(args);
            Assert.That(code, Is.Zero);
            foreach (var verb in Command.All) Assert.That(stdout, Does.Contain("chapters " + verb.Usage), string.Join(" ", args));
        }
    }

    [Test]
    public void HelpOfAnUnknownSubVerbIsAUsageError()
    {
        var (code, _, stderr) = CliCapture.Run("run", "99.9", "--help");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Unknown exercise '99.9'"));
        (code, _, stderr) = CliCapture.Run("bench", "gpu", "--help");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("unknown bench suite 'gpu'"));
    }

    [Test]
    public void OptionsNamedInHelpAreInTheTable()
    {
        var names = Command.All.SelectMany(c => c.OptionNames)
            .Concat(BenchSuite.All.SelectMany(s => s.OptionNames))
            .Concat(ExerciseCatalog.All.SelectMany(e => e.OptionNames));
        foreach (var name in names) Assert.That(CliOptions.All.ContainsKey(name), $"--{name} has no entry in CliOptions");
    }
}
