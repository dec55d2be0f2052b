using NUnit.Framework;

namespace Engine.Tests.Reliability;

/// <summary>
/// Engine-hostile's fuzzer (tests/Engine.Hostile) in a child process, so a native crash is
/// a failed test that names the call, not a dead test host. 10 000 seeded calls by default; more with
/// ENGINE_FUZZ_CALLS, another seed with ENGINE_FUZZ_SEED. The child's managed heap is capped at 2 GB, so a
/// size that slipped past the checks fails as an allocation error instead of swapping the machine.
/// </summary>
[NonParallelizable]
public class FuzzTests
{
    [Test]
    public void RandomBadCallsThroughThePublicApiSucceedOrNameTheOp()
    {
        string calls = Environment.GetEnvironmentVariable("ENGINE_FUZZ_CALLS") ?? "10000";
        string seed = Environment.GetEnvironmentVariable("ENGINE_FUZZ_SEED") ?? "1";
        var psi = ChildProcess.Start(ChildProcess.HostileDll, ["fuzz", "--seed", seed, "--calls", calls, "--timeout-ms", "20000"],
            new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x80000000" });
        var (code, stdout, stderr) = ChildProcess.Run(psi, TimeSpan.FromMinutes(10));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string? summary = lines.LastOrDefault(l => l.StartsWith("fuzz:"));
        string lastCall = lines.LastOrDefault(l => l.StartsWith('#')) ?? "(none)";
        TestContext.Out.WriteLine(summary ?? "(no summary)");
        foreach (var l in lines.Where(l => l.StartsWith("OTHER") || l.StartsWith("HANG") || l.StartsWith("calls per op"))) TestContext.Out.WriteLine(l);
        Assert.That(code, Is.Not.EqualTo(-1), $"the fuzzer ran past 10 minutes; last call {lastCall}");
        Assert.That(code, Is.Not.EqualTo(3), $"a call hung: {lines.LastOrDefault(l => l.StartsWith("HANG"))}");
        Assert.That(summary, Is.Not.Null, $"the fuzzer died (exit {code}) during call {lastCall}\n{stderr}");
        Assert.That(code, Is.EqualTo(0), "calls that neither succeeded nor named the op:\n" + string.Join("\n", lines.Where(l => l.StartsWith("OTHER")).Take(20)));
        Assert.That(summary, Does.Contain($"{calls} calls"));
    }

    [Test]
    public void ACrashedChildIsReportedWithTheCallThatKilledIt()
    {
        var psi = ChildProcess.Start(ChildProcess.HostileDll, ["fuzz", "--seed", "1", "--calls", "100", "--abort-at", "42"]);
        var (code, stdout, _) = ChildProcess.Run(psi, TimeSpan.FromMinutes(2));
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(code, Is.Not.EqualTo(0).And.Not.EqualTo(1), "an abort is neither success nor a counted failure");
        Assert.That(lines.Any(l => l.StartsWith("fuzz:")), Is.False);
        Assert.That(lines.Last(l => l.StartsWith('#')), Does.StartWith("#42 "));
    }
}
