using System.Text.RegularExpressions;
using Chapters;
using NUnit.Framework;

namespace Engine.Tests.Readme;

/// <summary>
/// Every timing README.md and docs/*.md print (a duration or a rate: ms, s, min, GB/s, GFLOP/s) carries the
/// command that produced it and the date it ran: the paragraph, table or code block holding the number, or
/// one of the two blocks just before it (the sentence that introduces a table), names a `chapters` command
/// that exists and a date YYYY-MM-DD. Durations that are settings, not measurements, are listed in
/// <see cref="Settings"/>.
/// </summary>
public sealed class TimingProvenanceTests
{
    private static readonly Regex Timing = new(@"(?<![\w.])\d+(?:[.,]\d+)?\s?(?:ms|µs|s|min|GB/s|GFLOP/s)(?![\w/])", RegexOptions.Compiled);
    /// <summary>A table or code block whose unit sits in a header ("| engine ms |", "(GFLOP/s, higher is better)") beside decimal numbers.</summary>
    private static readonly Regex UnitWord = new(@"(?<![\w/])(?:ms|GB/s|GFLOP/s)(?![\w/])", RegexOptions.Compiled);
    private static readonly Regex Decimal = new(@"(?<![\w.])\d+\.\d+(?![\w.])", RegexOptions.Compiled);
    private static readonly Regex CommandRx = new(@"chapters(?:\.dll)? ([a-z][\w-]*)(?: ([\w.]+))?", RegexOptions.Compiled);
    private static readonly Regex Date = new(@"\b20\d\d-\d\d-\d\d\b", RegexOptions.Compiled);

    /// <summary>Durations the docs state as settings or descriptions (timeouts, budgets, spin times), not measurements.</summary>
    private static readonly string[] Settings =
    [
        "60 s by default", "did not finish within 5 s", "timeout_s` 600", "540 s", "spinning 100 µs", "0.5 s of warm-up", "takes over 10 s", "for about 20 s",
    ];

    private static IEnumerable<string> Files()
    {
        string root = RepoRoot();
        yield return Path.Combine(root, "README.md");
        foreach (var f in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal)) yield return f;
    }

    /// <summary>Paragraphs, tables and fenced code blocks, in order.</summary>
    internal static List<string> Blocks(string text)
    {
        var blocks = new List<string>();
        var current = new List<string>();
        bool fenced = false;
        void Flush()
        {
            if (current.Count > 0) blocks.Add(string.Join("\n", current));
            current.Clear();
        }
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (!fenced) Flush();
                current.Add(line);
                if (fenced) Flush();
                fenced = !fenced;
                continue;
            }
            if (!fenced && line.Trim().Length == 0) Flush();
            else current.Add(line);
        }
        Flush();
        return blocks;
    }

    private static readonly Regex ScriptRx = new(@"scripts/([\w-]+\.sh)\b", RegexOptions.Compiled);
    private static readonly Regex HostileRx = new(@"engine-hostile (fuzz|save-loop)\b", RegexOptions.Compiled);
    private static readonly Regex TestFilterRx = new(@"dotnet test [^`\n]*--filter ""?FullyQualifiedName~([\w.]+)", RegexOptions.Compiled);

    /// <summary>
    /// Whether the block names an existing command: a verb of `chapters` (with an exercise id after `run` and a
    /// suite after `bench`), a script of scripts/, a verb of the fuzzer `engine-hostile`, or `dotnet test --filter` naming test classes that exist.
    /// </summary>
    internal static bool NamesACommand(string block) => HostileRx.IsMatch(block)
        || ScriptRx.Matches(block).Any(m => File.Exists(Path.Combine(RepoRoot(), "scripts", m.Groups[1].Value)))
        || TestFilterRx.Matches(block).Any(m => typeof(TimingProvenanceTests).Assembly.GetTypes().Any(t => t.FullName!.Contains(m.Groups[1].Value, StringComparison.Ordinal)))
        || CommandRx.Matches(block).Any(m =>
    {
        var verb = Command.All.FirstOrDefault(c => c.Name == m.Groups[1].Value);
        if (verb is null) return false;
        string arg = m.Groups[2].Value;
        return verb.Name switch
        {
            "run" => ExerciseCatalog.All.Any(e => e.Id == arg),
            "bench" => arg.Length == 0 || Chapters.Bench.BenchSuite.All.Any(s => s.Name == arg),
            _ => true,
        };
    });

    [Test]
    public void EveryTimingNamesAnExistingCommandAndADate()
    {
        var missing = new List<string>();
        int timings = 0;
        foreach (var file in Files())
        {
            var blocks = Blocks(File.ReadAllText(file));
            for (int i = 0; i < blocks.Count; i++)
            {
                string measured = Settings.Aggregate(blocks[i], (b, s) => b.Replace(s, "", StringComparison.Ordinal));
                bool tabular = measured.TrimStart().StartsWith('|') || measured.TrimStart().StartsWith("```", StringComparison.Ordinal);
                if (!Timing.IsMatch(measured) && !(tabular && UnitWord.IsMatch(measured) && Decimal.IsMatch(measured))) continue;
                timings++;
                string context = string.Join("\n", blocks.Skip(Math.Max(0, i - 2)).Take(Math.Min(3, i + 1)));
                if (!NamesACommand(context) || !Date.IsMatch(context))
                    missing.Add($"{Path.GetFileName(file)}: {blocks[i][..Math.Min(160, blocks[i].Length)].ReplaceLineEndings(" ")}");
            }
        }
        TestContext.Out.WriteLine($"{timings} blocks with timings checked");
        Assert.That(timings, Is.GreaterThan(5));
        Assert.That(missing, Is.Empty, "timings without a `chapters` command that exists and a date:\n" + string.Join("\n", missing));
    }

    [Test]
    public void TheCheckRejectsUnknownCommands()
    {
        Assert.That(NamesACommand("`chapters run 25.3`"), Is.True);
        Assert.That(NamesACommand("dotnet src/Chapters/bin/Release/net10.0/chapters.dll bench cnn"), Is.True);
        Assert.That(NamesACommand("`chapters run 99.9`"), Is.False);
        Assert.That(NamesACommand("`chapters bench gpu-speed`"), Is.False);
        Assert.That(NamesACommand("`chapters frobnicate`"), Is.False);
        Assert.That(Blocks("a\n\n```\nx\n\ny\n```\nb"), Is.EqualTo(new[] { "a", "```\nx\n\ny\n```", "b" }));
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Engine.sln not found above the test directory.");
    }
}
