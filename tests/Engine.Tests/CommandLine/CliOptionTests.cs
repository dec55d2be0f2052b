using System.Text.RegularExpressions;
using Chapters;
using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.CommandLine;

/// <summary>Bad options are one line on stderr naming the option and what it allows, exit 2, before anything runs.</summary>
public class CliOptionTests
{
    private static readonly object[] BadOptions =
    [
        new object[] { new[] { "run", "24.5", "--seed", "-1" }, "--seed must be N (a whole number from 0 to 18446744073709551615); got '-1'" },
        new object[] { new[] { "run", "24.5", "--seed", "abc" }, "--seed must be N (a whole number from 0 to 18446744073709551615); got 'abc'" },
        new object[] { new[] { "run", "24.5", "--seed", "18446744073709551616" }, "--seed must be" },
        new object[] { new[] { "run", "24.5", "--epochs", "-1" }, "--epochs must be N (a whole number ≥ 1); got '-1'" },
        new object[] { new[] { "run", "24.5", "--epochs", "abc" }, "--epochs must be N (a whole number ≥ 1); got 'abc'" },
        new object[] { new[] { "run", "24.5", "--epochs", "0" }, "--epochs must be N (a whole number ≥ 1); got '0'" },
        new object[] { new[] { "run", "24.5", "--epochs", "1.5" }, "--epochs must be N" },
        new object[] { new[] { "run", "24.5", "--epochs" }, "--epochs must be N (a whole number ≥ 1); got ''" },
        new object[] { new[] { "run", "24.5", "--lr", "-0.1" }, "--lr must be X (a number > 0); got '-0.1'" },
        new object[] { new[] { "run", "24.5", "--lr", "NaN" }, "--lr must be X (a number > 0); got 'NaN'" },
        new object[] { new[] { "run", "24.5", "--device", "gpu" }, "--device must be cpu|cuda|cuda:N|cpu-ref; got 'gpu'" },
        new object[] { new[] { "run", "25.2b", "--backend", "gloo" }, "--backend must be mpi|nccl; got 'gloo'" },
        new object[] { new[] { "run", "24.5", "--epoch", "3" }, "unknown option --epoch; known options: " },
        new object[] { new[] { "run", "24.5", "--quick=yes" }, "--quick is a flag and takes no value; got 'yes'" },
        new object[] { new[] { "all", "--seed", "-1" }, "--seed must be" },
        new object[] { new[] { "all", "--epochs", "abc" }, "--epochs must be" },
        new object[] { new[] { "bench", "cpu", "--repeat", "0" }, "--repeat must be N (a whole number ≥ 1); got '0'" },
        new object[] { new[] { "bench", "cnn", "--rounds", "x" }, "--rounds must be N" },
        new object[] { new[] { "gpu-check", "--reps", "-3" }, "--reps must be N" },
        new object[] { new[] { "launch", "--nproc", "0", "25.2b" }, "--nproc must be N (a whole number ≥ 1); got '0'" },
        new object[] { new[] { "launch", "--nproc", "2", "25.2b", "--timeout", "-5" }, "--timeout must be X (a number > 0); got '-5'" },
        new object[] { new[] { "run" }, "usage: chapters run <id>" },
        new object[] { new[] { "run", "99.9" }, "Unknown exercise '99.9'" },
        new object[] { new[] { "all", "24.5" }, "all takes no arguments" },
        new object[] { new[] { "bench", "gpu" }, "unknown bench suite 'gpu'" },
        new object[] { new[] { "frobnicate" }, "unknown verb 'frobnicate'" },
    ];

    [TestCaseSource(nameof(BadOptions))]
    public void BadOptionIsOneLineAndExitTwo(string[] args, string expected)
    {
        var (code, stdout, stderr) = CliCapture.Run(args);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.StartWith("chapters: ").And.Contain(expected));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(stdout, Does.Not.Contain("checks passed"), "nothing ran");
    }

    [Test]
    public void ValidValuesPass()
    {
        var options = new Dictionary<string, string>
        {
            ["seed"] = "18446744073709551615", ["epochs"] = "3", ["lr"] = "1e-3", ["device"] = "cuda:1", ["backend"] = "nccl",
            ["quick"] = "true", ["devices"] = "0,1", ["out"] = "somewhere", ["die-rank"] = "0",
        };
        Assert.DoesNotThrow(() => CliOptions.Validate(options));
        Assert.DoesNotThrow(() => CliOptions.Validate(new Dictionary<string, string> { ["devices"] = "cpu,cpu" }));
    }

    [Test]
    public void FlagsNeverTakeTheNextArgument()
    {
        var (command, args, options) = Cli.Parse(["run", "--quick", "24.5", "--seed=7", "--epochs", "2", "-h"]);
        Assert.That(command, Is.EqualTo("run"));
        Assert.That(args, Is.EqualTo(new[] { "24.5" }));
        Assert.That(options, Is.EquivalentTo(new Dictionary<string, string> { ["quick"] = "true", ["seed"] = "7", ["epochs"] = "2", ["help"] = "true" }));
        // launch passes options on to its ranks: flags alone, the others with their value.
        Assert.That(CliOptions.ToArgs(options.Where(o => o.Key != "help")), Is.EqualTo(new[] { "--quick", "--seed", "7", "--epochs", "2" }));
    }

    /// <summary>Every option an exercise reads (ctx.Int/Double/Options) is in its OptionNames, so `run &lt;id&gt; --help` lists it and validation knows it.</summary>
    [Test]
    public void ExercisesDeclareTheOptionsTheyRead()
    {
        string root = DataFolder.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Engine.sln not found");
        var read = new Regex(@"ctx\.(?:Int|Double)\(""([a-z0-9-]+)""|ctx\.Options\.\w+\(""([a-z0-9-]+)""");
        int files = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src/Chapters"), "*.cs", SearchOption.AllDirectories))
        {
            string text = File.ReadAllText(file);
            var id = Regex.Match(text, @"override string Id => ""([^""]+)""");
            if (!id.Success) continue;
            files++;
            var declared = ExerciseCatalog.Find(id.Groups[1].Value).OptionNames.Concat(RunCommand.Common).ToHashSet();
            foreach (Match m in read.Matches(text))
            {
                string name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                Assert.That(declared, Does.Contain(name), $"{Path.GetFileName(file)} reads --{name} but {id.Groups[1].Value}'s OptionNames lacks it");
            }
        }
        Assert.That(files, Is.EqualTo(ExerciseCatalog.All.Count));
    }
}
