using NUnit.Framework;

namespace Engine.Tests.CommandLine;

/// <summary>
/// `chapters gpu-check --oracles` runs without a GPU: the large cases' CPU oracles, CpuBackend against
/// CpuReference within the tolerance, one table row per case and the totals, written to &lt;out&gt;/gpu-check-oracles.md.
/// </summary>
[TestFixture]
public sealed class GpuCheckOraclesTests
{
    [Test]
    public void OraclesChecksTheFastCpuBackendAtTheLargeSizes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gpu-check-oracles-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = CliCapture.Run("gpu-check", "--oracles", "--filter", "Fill float64", "--out", dir);
            Assert.That(code, Is.EqualTo(0), stderr);
            Assert.That(stdout, Does.Contain("| Fill float64 [4000037] |").And.Contain("| pass |"));
            Assert.That(stdout, Does.Contain("1 large cases: inputs").And.Contain("0 out of tolerance"));
            string file = Path.Combine(dir, "gpu-check-oracles.md");
            Assert.That(File.ReadAllText(file), Does.Contain("| Fill float64 [4000037] |"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
