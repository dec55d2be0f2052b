using Chapters.Bench;
using NUnit.Framework;

namespace Engine.Tests.Bench;

/// <summary>The benchmark peers run the best OpenBLAS core the CPU computes correctly with, checked against the engine.</summary>
public class PeerBlasTests
{
    [Test]
    public void CoresFollowTheCpuFlags()
    {
        var avx512 = new HashSet<string> { "sse2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" };
        Assert.That(PeerBlas.Candidates(avx512), Is.EqualTo(new[] { "SkylakeX", "Haswell", null }));
        var avx2 = new HashSet<string> { "sse2", "avx", "avx2", "fma" };
        Assert.That(PeerBlas.Candidates(avx2), Is.EqualTo(new[] { "Haswell", null }));
        var partial = new HashSet<string> { "avx2", "fma", "avx512f" }; // AVX-512 F alone (no BW/DQ/VL) does not run SkylakeX's kernels
        Assert.That(PeerBlas.Candidates(partial), Is.EqualTo(new[] { "Haswell", null }));
        Assert.That(PeerBlas.Candidates(new HashSet<string> { "sse2", "avx" }), Is.EqualTo(new string?[] { null }));
    }

    [Test]
    public void ThisCpuFlagsAreRead()
    {
        if (!File.Exists("/proc/cpuinfo")) Assert.Ignore("no /proc/cpuinfo");
        var flags = PeerBlas.CpuFlags();
        Assert.That(flags, Does.Contain("sse2"), "every x86-64 CPU has SSE2");
        Assert.That(flags.Contains("avx512f"), Is.EqualTo(System.Runtime.Intrinsics.X86.Avx512F.IsSupported), "the same answer as .NET's");
    }

    /// <summary>NumPy's product of the engine's operands, under the chosen core, matches the engine's (skipped without NumPy).</summary>
    [Test]
    public void NumPyPeerProductMatchesTheEngine()
    {
        if (!File.Exists("/usr/bin/python3") || !Runs("/usr/bin/python3", "-c \"import numpy\""))
            Assert.Ignore("/usr/bin/python3 with NumPy is not installed (apt-get install python3-numpy)");
        var choice = PeerBlas.Choose("/usr/bin/python3", "cpu_peers.py", "numpy", 2, "install python3-numpy");
        TestContext.Out.WriteLine(choice.Description);
        Assert.That(choice.Description, Does.Contain("matches the engine's"));
        if (choice.Description.StartsWith("OpenBLAS kernel", StringComparison.Ordinal))
            Assert.That(choice.Core, Is.EqualTo(PeerBlas.Candidates(PeerBlas.CpuFlags())[0]), "the best core computes correctly here");
        else
        {
            // NumPy on another BLAS (Debian's reference libblas3): no core is set, and the header says the peer is not a fair one.
            Assert.That(choice.Core, Is.Null);
            Assert.That(choice.Description, Does.StartWith("BLAS is not OpenBLAS"));
        }
    }

    private static bool Runs(string file, string args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
