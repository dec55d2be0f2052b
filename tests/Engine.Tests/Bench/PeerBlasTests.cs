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
        Assert.That(PeerBlas.Candidates(avx512), Is.EqualTo(new[] { "SkylakeX", "Haswell" }));
        var avx2 = new HashSet<string> { "sse2", "avx", "avx2", "fma" };
        Assert.That(PeerBlas.Candidates(avx2), Is.EqualTo(new[] { "Haswell" }));
        var partial = new HashSet<string> { "avx2", "fma", "avx512f" }; // AVX-512 F alone (no BW/DQ/VL) does not run SkylakeX's kernels
        Assert.That(PeerBlas.Candidates(partial), Is.EqualTo(new[] { "Haswell" }));
        Assert.That(PeerBlas.Candidates(new HashSet<string> { "sse2", "avx" }), Is.Empty);
    }

    [Test]
    public void OpenBlasOwnPicksAreRankedByVectorWidth()
    {
        Assert.That(PeerBlas.Tier("Cooperlake"), Is.EqualTo(PeerBlas.Tier("SkylakeX")));
        Assert.That(PeerBlas.Tier("Zen"), Is.EqualTo(PeerBlas.Tier("Haswell")));
        Assert.That(PeerBlas.Tier("Prescott"), Is.LessThan(PeerBlas.Tier("Haswell")), "the generic kernel OpenBLAS falls back to on a CPU it does not know");
        Assert.That(PeerBlas.Tier(null), Is.Zero);
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
        {
            var best = PeerBlas.Candidates(PeerBlas.CpuFlags()).FirstOrDefault();
            Assert.That(choice.Core == best || (choice.Core is null && choice.Description.Contains("as wide as this CPU allows")),
                $"the widest core the CPU runs, forced ({best}) or OpenBLAS's own pick of the same width: {choice.Description}");
        }
        else
        {
            // NumPy on another BLAS (Debian's reference libblas3): no core is set, and the header says the peer is not a fair one.
            Assert.That(choice.Core, Is.Null);
            Assert.That(choice.Description, Does.StartWith("BLAS is not OpenBLAS"));
        }
    }

    /// <summary>
    /// On a CPU OpenBLAS does not know it runs Prescott, the generic kernel (simulated here by a python
    /// wrapper that sets OPENBLAS_CORETYPE=Prescott when the bench leaves it unset): the bench then forces
    /// the widest core the CPU flags allow and says what OpenBLAS alone would have picked.
    /// </summary>
    [Test]
    public void TheWidestCoreIsForcedWhenOpenBlasFallsBackToPrescott()
    {
        if (!File.Exists("/usr/bin/python3") || !Runs("/usr/bin/python3", "-c \"import numpy\""))
            Assert.Ignore("/usr/bin/python3 with NumPy is not installed (apt-get install python3-numpy)");
        var best = PeerBlas.Candidates(PeerBlas.CpuFlags());
        if (best.Count == 0) Assert.Ignore("this CPU has neither AVX2 + FMA nor AVX-512: there is no wider core to force");
        string wrapper = Path.Combine(Path.GetTempPath(), $"python-prescott-{Guid.NewGuid():N}.sh");
        File.WriteAllText(wrapper, "#!/bin/sh\nexport OPENBLAS_CORETYPE=\"${OPENBLAS_CORETYPE:-Prescott}\"\nexec /usr/bin/python3 \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var choice = PeerBlas.Choose(wrapper, "cpu_peers.py", "numpy", 2, "install python3-numpy");
            TestContext.Out.WriteLine(choice.Description);
            if (choice.Description.StartsWith("BLAS is not OpenBLAS", StringComparison.Ordinal)) Assert.Ignore("NumPy is not on OpenBLAS here: " + choice.Description);
            Assert.That(choice.Core, Is.EqualTo(best[0]));
            Assert.That(choice.Description, Does.StartWith($"OpenBLAS kernel {best[0]}").And.Contain("OpenBLAS alone picks Prescott").And.Contain("matches the engine's"));
        }
        finally
        {
            File.Delete(wrapper);
        }
    }

    private static bool Runs(string file, string args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
