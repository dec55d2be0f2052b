using Chapters.Ch25;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

/// <summary>Chapter 25 exercises run in-process (25.2b runs across processes in <see cref="LaunchTests"/>).</summary>
public class Ch25ExerciseTests
{
    private static string Output(Chapters.ExerciseContext ctx) => ctx.Out.ToString()!;

    [Test]
    public void BostonIsSplit404To102AndStandardisedWithTrainingStatistics()
    {
        var d = BostonData.Load();
        Assert.That((d.XTrain.Shape, d.XTest.Shape, d.YTrain.Shape, d.YTest.Shape),
            Is.EqualTo((new[] { 404, 13 }, new[] { 102, 13 }, new[] { 404, 1 }, new[] { 102, 1 })));
        var x = d.XTrain.ToDoubleArray();
        for (int c = 0; c < 13; c++)
        {
            var col = Enumerable.Range(0, 404).Select(r => x[r * 13 + c]).ToArray();
            double mean = col.Average(), std = Math.Sqrt(col.Select(v => (v - mean) * (v - mean)).Average());
            Assert.That(mean, Is.EqualTo(0).Within(1e-5), $"column {c} mean");
            Assert.That(std, Is.EqualTo(1).Within(1e-4), $"column {c} std");
        }
        // The test set is transformed with the training statistics, so its mean is not exactly 0.
        var t = d.XTest.ToDoubleArray();
        double testMean0 = Enumerable.Range(0, 102).Select(r => t[r * 13]).Average();
        Assert.That(Math.Abs(testMean0), Is.GreaterThan(1e-3));
    }

    [Test]
    public void DevicesTourRunsAndSaysWhetherThereIsAGpu()
    {
        var ctx = TestRun.Exercise("25.1");
        TestRun.AssertAllChecksPass(ctx);
        Assert.That(Output(ctx), Does.Contain($"Device.IsAvailable: {Device.IsAvailable}"));
        if (!Device.IsAvailable) Assert.That(Output(ctx), Does.Contain("no GPU here"));
        // Without a GPU the two rows that would compare the CPU with itself are skipped, not counted as passes.
        var skipped = ctx.Checks.Where(c => c.Skipped).Select(c => c.What).ToArray();
        if (Device.IsAvailable) Assert.That(skipped, Is.Empty);
        else
        {
            Assert.That(skipped, Is.EqualTo(new[] { "IsAvailable agrees with DeviceCount", "x·w on the GPU equals the CPU result" }));
            Assert.That(ctx.Checks.Where(c => c.Skipped).All(c => c.Engine == "skipped (no GPU)"));
        }
    }

    [Test]
    public void DataParallelPrintsTheBooksShapes()
    {
        var ctx = TestRun.Exercise("25.2");
        TestRun.AssertAllChecksPass(ctx);
        var lines = Output(ctx).Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.StartsWith("Outside", StringComparison.Ordinal) || l.StartsWith("In Model", StringComparison.Ordinal)).ToArray();
        string inner = "In Model: input size [64, 13] output size [64, 1]", outer = "Outside: input size [128, 13] output_size [128, 1]";
        var expected = new List<string>();
        for (int i = 0; i < 3; i++) expected.AddRange([inner, inner, outer]);
        expected.AddRange(["In Model: input size [10, 13] output size [10, 1]", "In Model: input size [10, 13] output size [10, 1]", "Outside: input size [20, 13] output_size [20, 1]"]);
        Assert.That(lines, Is.EqualTo(expected));
        Assert.That(File.Exists(Path.Combine(ctx.OutDir, "loss.png")));
    }

    [Test]
    public void GpuNotesTrainInReducedPrecision()
    {
        var ctx = TestRun.Exercise("25.3");
        TestRun.AssertAllChecksPass(ctx);
        Assert.That(Output(ctx), Does.Contain("float16 + GradScaler"));
        if (!Device.IsAvailable) Assert.That(Output(ctx), Does.Contain("needs a GPU; skipped"));
    }

    [Test]
    public void OnAGpuTheDevicesTourAndDataParallelRunOnCuda()
    {
        if (!Device.IsAvailable) Assert.Ignore("no GPU on this machine");
        var tour = TestRun.Exercise("25.1", true, ("device", "cuda"));
        TestRun.AssertAllChecksPass(tour);
        Assert.That(Output(tour), Does.Contain("(x·w).Device: cuda:0"));
        TestRun.AssertAllChecksPass(TestRun.Exercise("25.2", true, ("device", "cuda")));
    }
}
