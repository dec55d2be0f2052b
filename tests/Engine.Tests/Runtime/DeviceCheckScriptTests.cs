using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// ENGINE_CUDA_SYNC=1 in the device check: scripts/device-check.sh runs its first op check with every
/// launch synchronised, before any other GPU step, so a kernel fault is named by the op that caused it.
/// </summary>
[TestFixture]
public sealed class DeviceCheckScriptTests
{
    [Test]
    public void TheFirstGpuCheckPassRunsWithSynchronousErrors()
    {
        string script = File.ReadAllText(Path.Combine(RepoRoot(), "scripts", "device-check.sh"));
        var gpuSteps = Regex.Matches(script, @"^step (\S+) \d+ (.*)$", RegexOptions.Multiline)
            .Where(m => m.Groups[2].Value.Contains("--device cuda") || m.Groups[2].Value.Contains("gpu-check") || m.Groups[2].Value.Contains("--require-gpu"))
            .ToList();
        Assert.That(gpuSteps, Is.Not.Empty);
        Assert.That(gpuSteps[0].Groups[1].Value, Is.EqualTo("gpu-check-quick"));
        Assert.That(gpuSteps[0].Groups[2].Value, Does.StartWith("env ENGINE_CUDA_SYNC=1 "));
        Assert.That(gpuSteps.Skip(1).Select(m => m.Groups[2].Value), Has.None.Contains("ENGINE_CUDA_SYNC"), "later passes run asynchronously, as users do");
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Engine.sln not found above the test directory.");
    }
}
