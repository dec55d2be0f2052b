using System.Diagnostics;
using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Reliability;

/// <summary>
/// A child process saves 4 MB checkpoints in a loop (engine-hostile save-loop, Module.Save)
/// and is killed with SIGKILL after a random delay, round after round for about 20 s. After every kill the
/// checkpoint on disk must load and be one whole generation (every value equal), no older than the last save
/// the child reported and at most one newer. The temp files the kills leave are removed by the next save.
/// </summary>
[NonParallelizable]
public class KillNineTests
{
    private const int InFeatures = 16384, OutFeatures = 64; // Linear(16384, 64): 1 048 640 floats, 4 MB

    [Test]
    public void KilledSavesAlwaysLeaveThePreviousCheckpointIntact()
    {
        string dir = Path.Combine(Path.GetTempPath(), "engine-kill9-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "model.safetensors");
        var rng = new Random(9);
        var budget = Stopwatch.StartNew();
        long generation = 0;
        int kills = 0, killsWithPartialTemp = 0, roundsWithoutSave = 0;
        var seenTemps = new HashSet<string>();
        try
        {
            while (budget.Elapsed < TimeSpan.FromSeconds(20) && kills < 200)
            {
                var psi = ChildProcess.Start(ChildProcess.HostileDll, ["save-loop", path, "--elements", (InFeatures * OutFeatures).ToString(), "--start", generation.ToString()]);
                long lastReported = generation;
                using var p = Process.Start(psi)!;
                p.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is { } line && line.StartsWith("saved ")) Interlocked.Exchange(ref lastReported, long.Parse(line[6..]));
                };
                p.BeginOutputReadLine();
                // Kill somewhere between start-up and a few dozen saves in.
                Thread.Sleep(rng.Next(100, 1000));
                p.Kill();
                p.WaitForExit();
                kills++;
                long reported = Interlocked.Read(ref lastReported);
                if (reported == generation) roundsWithoutSave++;
                var temps = Directory.GetFiles(dir, ".model.safetensors.*.tmp");
                if (temps.Any(seenTemps.Add)) killsWithPartialTemp++;

                if (!File.Exists(path))
                {
                    Assert.That(generation, Is.EqualTo(0), $"kill {kills}: the checkpoint of generation {generation} disappeared");
                    continue;
                }
                long loaded = LoadGeneration(path, kills);
                Assert.That(loaded, Is.InRange(Math.Max(reported, 1), reported + 1),
                    $"kill {kills}: the checkpoint holds generation {loaded}, but the child had reported {reported} as saved");
                generation = loaded;
            }
            // The next save removes what the kills left behind.
            new Linear(2, 2).Save(path);
            var left = Directory.GetFiles(dir, ".model.safetensors.*.tmp");
            TestContext.Out.WriteLine($"R4 kill -9: {kills} kills of a process saving 4 MB checkpoints in a loop; {kills} loads after them, all intact " +
                $"(last generation {generation}); {killsWithPartialTemp} kills cut a save short (left a new partial temp file); {roundsWithoutSave} came before the round's first save; " +
                $"{left.Length} temp files left after the next save; {budget.Elapsed.TotalSeconds:F1} s");
            Assert.That(left, Is.Empty);
            Assert.That(kills, Is.GreaterThanOrEqualTo(5));
            Assert.That(generation, Is.GreaterThan(0), "no save ever completed; the kills tested nothing");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>The generation a checkpoint holds: every weight and bias must equal it.</summary>
    private static long LoadGeneration(string path, int kill)
    {
        var model = new Linear(InFeatures, OutFeatures);
        model.Load(path);
        var values = model.Weight.ToDoubleArray().Concat(model.Bias!.ToDoubleArray()).Distinct().ToArray();
        Assert.That(values, Has.Length.EqualTo(1), $"kill {kill}: the checkpoint mixes generations {string.Join(", ", values.Take(5))}");
        return (long)values[0];
    }
}
