using System.Diagnostics;
using NUnit.Framework;

namespace Engine.Tests.Ops;

/// <summary>
/// kernels.cu run on the host (Emulation/shim.h: a std::thread per CUDA thread, a real barrier for
/// __syncthreads) and checked by Emulation/kernels_on_host.cpp — the kernels' index arithmetic,
/// shared-memory reductions and SGEMM tiling verified on a machine without a GPU.
/// </summary>
[TestFixture]
public sealed class KernelEmulationTests
{
    [Test]
    public void KernelsComputeTheRightValuesUnderHostEmulation()
    {
        string? compiler = new[] { "/usr/bin/clang++-14", "/usr/lib/llvm-14/bin/clang++" }.FirstOrDefault(File.Exists);
        if (compiler is null) Assert.Ignore("clang++-14 is not installed (scripts/install-deps.sh installs it).");
        string root = RepoRoot();
        string dir = Path.Combine(Path.GetTempPath(), $"engine-kernel-emulation-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            // The one edit the host compiler needs: the dynamic shared-memory buffer becomes a static array.
            string source = File.ReadAllText(Path.Combine(root, "kernels.cu"));
            const string decl = "extern __shared__ __align__(16) unsigned char shared_raw[];";
            Assert.That(source, Does.Contain(decl));
            File.WriteAllText(Path.Combine(dir, "kernels_host.cu"), source.Replace(decl, "alignas(16) unsigned char shared_raw[65536];"));
            string emulation = Path.Combine(root, "tests", "Engine.Tests", "Ops", "Emulation");
            string exe = Path.Combine(dir, "kernels_on_host");
            var (rc, output) = Run(compiler, ["-std=c++20", "-O1", "-pthread", "-w", $"-DKERNELS_CU=\"{Path.Combine(dir, "kernels_host.cu")}\"",
                "-I", emulation, Path.Combine(emulation, "kernels_on_host.cpp"), "-o", exe]);
            Assert.That(rc, Is.Zero, "compiling kernels.cu for the host failed:\n" + output);
            (rc, output) = Run(exe, []);
            TestContext.Out.WriteLine(output);
            Assert.That(output, Does.Contain("\n0 failed"), output);
            Assert.That(rc, Is.Zero, output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); return (-1, "timed out after 120 s"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Engine.sln not found above the test directory.");
    }
}
