using System.Diagnostics;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

/// <summary>CUDA_VISIBLE_DEVICES is the driver's (it numbers only the GPUs listed); 25.1 reports it. Needs a fresh process: the driver reads it once.</summary>
public class VisibleDevicesTests
{
    [Test]
    public void AnEmptyListHidesEveryGpuAnd251SaysSo()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(global::Chapters.Cli).Assembly.Location);
        foreach (var a in new[] { "run", "25.1", "--quick", "--out", Path.Combine(Path.GetTempPath(), "engine-tests-out") }) psi.ArgumentList.Add(a);
        psi.Environment["CUDA_VISIBLE_DEVICES"] = "";
        psi.Environment["COLUMNS"] = "200";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("chapters run 25.1 did not finish within 120 s (killed).");
        }
        p.WaitForExit();
        string output = stdout.Result + stderr.Result;
        Assert.That(p.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("Device.DeviceCount: 0"));
        Assert.That(output, Does.Contain("CUDA_VISIBLE_DEVICES: (set but empty: every GPU is hidden)"));
        Assert.That(output, Does.Contain("no GPU here ("));
    }

    [Test]
    public void TheTourDescribesTheVariable()
    {
        Assert.That(global::Chapters.Ch25.Ex25_1_DevicesTour.DescribeVisible(null), Is.EqualTo("(not set: every GPU is visible)"));
        Assert.That(global::Chapters.Ch25.Ex25_1_DevicesTour.DescribeVisible(" "), Is.EqualTo("(set but empty: every GPU is hidden)"));
        Assert.That(global::Chapters.Ch25.Ex25_1_DevicesTour.DescribeVisible("1,0"), Does.StartWith("1,0 (cuda:0, cuda:1"));
    }
}
