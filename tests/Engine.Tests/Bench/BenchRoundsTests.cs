using System.Diagnostics;
using Chapters.Bench;
using NUnit.Framework;

namespace Engine.Tests.Bench;

/// <summary>
/// `bench cpu`'s rounds: per-round numbers give the best, the median and the range of same-round
/// ratios; the NumPy/PyTorch peer stays up and times one benchmark per request.
/// </summary>
public class BenchRoundsTests
{
    [Test]
    public void BestAndMedianFollowTheDirectionOfTheNumber()
    {
        var s = new Samples();
        foreach (var v in new[] { 3.0, 1.0, 4.0, 1.5 }) s.Add("ms", v);
        Assert.That(s.Best("ms", higherBetter: false), Is.EqualTo(1.0));
        Assert.That(s.Best("ms", higherBetter: true), Is.EqualTo(4.0));
        Assert.That(s.Median("ms"), Is.EqualTo(2.25), "even count: mean of the middle two (1.5, 3)");
        s.Add("ms", 10.0);
        Assert.That(s.Median("ms"), Is.EqualTo(3.0));
        Assert.That(s.Best("absent", true), Is.Null);
        Assert.That(s.Cell("absent", "F1", true), Is.EqualTo("missing"));
        Assert.That(s.Cell("ms", "F1", false), Is.EqualTo($"{1.0:F1} / {3.0:F1}"));
    }

    [Test]
    public void RatioPairsTheNumbersOfTheSameRound()
    {
        var engine = new Samples();
        var peer = new Samples();
        foreach (var (e, p) in new[] { (0.2, 0.5), (0.3, 0.4), (0.6, 1.2) })
        {
            engine.Add("step", e);
            peer.Add("numpy", p);
        }
        // best ÷ best = 0.2 / 0.4; rounds: 0.4, 0.75, 0.5.
        Assert.That(Samples.Ratio(engine, "step", peer, "numpy", higherBetter: false),
            Is.EqualTo($"{0.5:F2}× [{0.4:F2}–{0.75:F2}]"));
        Assert.That(Samples.Ratio(engine, "step", peer, "torch", higherBetter: false), Is.EqualTo("—"));
    }

    /// <summary>cpu_peers.py --serve answers one number per request and rejects an unknown name (skipped without NumPy).</summary>
    [Test]
    public void ThePeerServerTimesOneBenchmarkPerRequest()
    {
        if (!File.Exists("/usr/bin/python3") || !Runs("/usr/bin/python3", "-c \"import numpy\""))
            Assert.Ignore("/usr/bin/python3 with NumPy is not installed (apt-get install python3-numpy)");
        using var server = PeerServer.Start("/usr/bin/python3", "cpu_peers.py", 1, "install python3-numpy", out string? error);
        Assert.That(server, Is.Not.Null, error);
        Assert.That(server!.Has("sgemm256") && server.Has("numpy_step"), Is.True);
        Assert.That(server.Measure("sgemm256", 1), Is.GreaterThan(0));
        Assert.That(server.Measure("numpy_step", 1), Is.GreaterThan(0));
        Assert.That(server.Measure("no_such_benchmark", 1), Is.Null);
        Assert.That(server.Facts.GetProperty("numpy").GetString(), Is.Not.Empty);
    }

    private static bool Runs(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
