using System.Diagnostics;
using System.Text.Json;
using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>EarlyStopping, ModelCheckpoint, LearningRateScheduler and TensorBoard during Fit.</summary>
public class CallbackTests
{
    private static (Sequential M, Tensor X, Tensor Y) Linear(ulong seed = 0)
    {
        var m = new Sequential(seed: seed);
        m.Add(new Dense(1, inputShape: [1]));
        m.Compile("sgd", "mse");
        var x = Tensor.FromArray(Chapters.Ch21.Ex21_7_LinearModel.Xs, [6, 1]);
        var y = Tensor.FromArray(Chapters.Ch21.Ex21_7_LinearModel.Ys, [6, 1]);
        return (m, x, y);
    }

    /// <summary>Reports a fixed sequence of values as "score" so the stopping rule can be checked exactly.</summary>
    private sealed class Scripted(double[] values, string key) : Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) =>
            ((Dictionary<string, double>)logs)[key] = values[epoch];
    }

    [Test]
    public void EarlyStoppingWaitsPatienceEpochsWithoutImprovement()
    {
        var (m, x, y) = Linear();
        var stop = new EarlyStopping(monitor: "score", patience: 2, minDelta: 0.05);
        // Best 1.0 at epoch 1; 0.97 is not better by more than 0.05; epochs 2 and 3 fail → stop after epoch 3.
        var h = m.Fit(x, y, epochs: 10, verbose: 0, callbacks: [new Scripted([2, 1, 0.97, 1.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], "score"), stop]);
        Assert.That(stop.StoppedEpoch, Is.EqualTo(3));
        Assert.That(h.Epoch, Is.EqualTo(new[] { 0, 1, 2, 3 }));
        var (m2, _, _) = Linear();
        var acc = new EarlyStopping(monitor: "val_acc_like", patience: 0);
        m2.Fit(x, y, epochs: 5, verbose: 0, callbacks: [new Scripted([0.5, 0.7, 0.6, 0.9, 1], "val_acc_like"), acc]);
        Assert.That(acc.StoppedEpoch, Is.EqualTo(2));
    }

    [Test]
    public void EarlyStoppingRestoresTheBestWeights()
    {
        var (m, x, y) = Linear();
        var seen = new List<double>();
        var record = new Recorder(seen);
        var stop = new EarlyStopping(monitor: "score", patience: 1, restoreBestWeights: true);
        m.Fit(x, y, epochs: 5, verbose: 0, callbacks: [new Scripted([3, 1, 2, 2, 2], "score"), record, stop]);
        Assert.That(m.Weights.First().Value.Item(), Is.EqualTo(seen[1]));
        Assert.That(seen[2], Is.Not.EqualTo(seen[1]));
        Assert.Throws<InvalidOperationException>(() => m.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new EarlyStopping()]));
    }

    private sealed class Recorder(List<double> kernels) : Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => kernels.Add(Model!.Weights.First().Value.Item());
    }

    [Test]
    public void ModelCheckpointSavesAtomicallyWithKerasPlaceholders()
    {
        var (m, x, y) = Linear();
        string dir = Path.Combine(Path.GetTempPath(), $"engine-ckpt-{Guid.NewGuid():N}");
        var every = new ModelCheckpoint(Path.Combine(dir, "w.{epoch:02d}-{loss:.2f}.safetensors"), monitor: "loss");
        var best = new ModelCheckpoint(Path.Combine(dir, "best.safetensors"), monitor: "score", saveBestOnly: true);
        var h = m.Fit(x, y, epochs: 4, verbose: 0, callbacks: [new Scripted([5, 3, 4, 1], "score"), every, best]);
        Assert.That(Path.GetFileName(every.Saved[1]), Is.EqualTo("w.02-" + h["loss"][1].ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + ".safetensors"));
        Assert.That(every.Saved, Has.Count.EqualTo(4));
        Assert.That(Path.GetFileName(every.Saved[0]), Does.Match(@"^w\.01-\d+\.\d\d\.safetensors$"));
        Assert.That(best.Saved, Has.Count.EqualTo(3));
        var back = Sequential.Load(Path.Combine(dir, "best.safetensors"));
        Assert.That(back.Weights.First().Value.Item(), Is.EqualTo(m.Weights.First().Value.Item()));
        Assert.That(Directory.GetFiles(dir, "*.tmp"), Is.Empty);
        Directory.Delete(dir, true);
    }

    [Test]
    public void LearningRateSchedulerSetsTheRateEachEpoch()
    {
        var (m, x, y) = Linear();
        var sched = new LearningRateScheduler((epoch, lr) => epoch < 2 ? 0.01 : lr * 0.5);
        m.Fit(x, y, epochs: 4, verbose: 0, callbacks: [sched]);
        Assert.That(sched.Rates, Is.EqualTo(new[] { 0.01, 0.01, 0.005, 0.0025 }));
        Assert.That(m.Optimizer!.LearningRate, Is.EqualTo(0.0025));
    }

    [Test]
    public void TensorBoardFileIsReadByAnIndependentReader()
    {
        var (m, x, y) = Linear();
        string dir = Path.Combine(Path.GetTempPath(), $"engine-tb-{Guid.NewGuid():N}");
        var tb = new TensorBoard(dir);
        var h = m.Fit(x, y, epochs: 3, verbose: 0, validationData: (x, y), callbacks: [tb]);
        Assert.That(Path.GetFileName(tb.FilePath), Does.StartWith("events.out.tfevents."));
        string script = Fixture("read_tfevents.py");
        var doc = JsonDocument.Parse(RunPython(script, tb.FilePath!)).RootElement;
        Assert.That(doc.GetProperty("file_version").GetString(), Is.EqualTo("brain.Event:2"));
        var scalars = doc.GetProperty("scalars").EnumerateArray().Select(e => (Step: e[0].GetInt32(), Tag: e[1].GetString(), Value: e[2].GetDouble())).ToList();
        Assert.That(scalars, Has.Count.EqualTo(6));
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.That(scalars.Single(s => s.Step == epoch && s.Tag == "loss").Value, Is.EqualTo((float)h["loss"][epoch]));
            Assert.That(scalars.Single(s => s.Step == epoch && s.Tag == "val_loss").Value, Is.EqualTo((float)h["val_loss"][epoch]));
        }
        // A flipped byte is caught by the reader's CRC check.
        var bytes = File.ReadAllBytes(tb.FilePath!);
        bytes[^6] ^= 0x40;
        string bad = tb.FilePath + ".bad";
        File.WriteAllBytes(bad, bytes);
        Assert.That(() => RunPython(script, bad), Throws.Exception.With.Message.Contains("CRC"));
        Directory.Delete(dir, true);
    }

    [Test]
    public void Crc32CMatchesTheStandardCheckValue()
    {
        // CRC-32C of "123456789" is 0xE3069283 (RFC 3720 check value).
        Assert.That(Crc32C.Compute("123456789"u8), Is.EqualTo(0xE3069283u));
    }

    /// <summary>tests/fixtures/<paramref name="name"/>, found above the test binaries.</summary>
    internal static string Fixture(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "fixtures", name))) dir = dir.Parent;
        Assert.That(dir, Is.Not.Null, $"tests/fixtures/{name} not found above {AppContext.BaseDirectory}");
        return Path.Combine(dir!.FullName, "tests", "fixtures", name);
    }

    private static string RunPython(string script, string file)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [script, file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"read_tfevents.py failed: {stderr}");
        return stdout;
    }
}
