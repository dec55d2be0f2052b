using System.Diagnostics;
using System.Text.RegularExpressions;
using Engine.Kernels;
using Engine.Kernels.Checks;
using NUnit.Framework;

namespace Engine.Tests.Ops;

/// <summary>
/// kernels.cu run on the host (Emulation/shim.h: a fiber per CUDA thread, a real barrier for
/// __syncthreads), so kernels are checked on a machine without a GPU: Emulation/kernels_on_host.cpp
/// checks the kernels' index arithmetic, shared-memory reductions and SGEMM tiling against double
/// formulas (and the deterministic kernels' bits under shuffled block and thread orders), and Emulation/driver_on_host.cpp stands in for libcuda so that every op case of the op
/// table runs through the unchanged CudaBackend (`chapters gpu-check --values`) and is compared with
/// CpuReference.
/// </summary>
[TestFixture]
public sealed class KernelEmulationTests
{
    private string _dir = "";
    private string _compiler = "";
    private string _kernels = "";
    private string _emulation = "";

    [OneTimeSetUp]
    public void CopyKernelsForTheHost()
    {
        _compiler = new[] { "/usr/bin/clang++-14", "/usr/lib/llvm-14/bin/clang++" }.FirstOrDefault(File.Exists) ?? "";
        if (_compiler.Length == 0) Assert.Ignore("clang++-14 is not installed (scripts/install-deps.sh installs it).");
        string root = RepoRoot();
        _dir = Path.Combine(Path.GetTempPath(), $"engine-kernel-emulation-{Environment.ProcessId}");
        Directory.CreateDirectory(_dir);
        // The one edit the host compiler needs: the dynamic shared-memory buffer becomes a static array.
        string source = KernelLibrary.KernelSource; // kernels.cu with its kernels/*.cu inlined
        const string decl = "extern __shared__ __align__(16) unsigned char shared_raw[];";
        Assert.That(source, Does.Contain(decl));
        _kernels = Path.Combine(_dir, "kernels_host.cu");
        File.WriteAllText(_kernels, source.Replace(decl, "alignas(16) unsigned char shared_raw[65536];"));
        _emulation = Path.Combine(root, "tests", "Engine.Tests", "Ops", "Emulation");
    }

    [OneTimeTearDown]
    public void DeleteBuild()
    {
        if (_dir.Length > 0 && Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void KernelsComputeTheRightValuesUnderHostEmulation()
    {
        string exe = Path.Combine(_dir, "kernels_on_host");
        var (rc, output) = Run(_compiler, ["-std=c++20", "-O1", "-w", $"-DKERNELS_CU=\"{_kernels}\"",
            "-I", _emulation, Path.Combine(_emulation, "kernels_on_host.cpp"), "-o", exe]);
        Assert.That(rc, Is.Zero, "compiling kernels.cu for the host failed:\n" + output);
        (rc, output) = Run(exe, []);
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Contain("\n0 failed"), output);
        Assert.That(rc, Is.Zero, output);
    }

    [Test]
    public void EveryOpCaseMatchesTheCpuThroughTheEmulatedDriver()
    {
        // The kernel table of the stand-in driver: every extern "C" __global__ of the preprocessed kernels.cu.
        var (rc, output) = Run(_compiler, ["-E", "-P", "-x", "c++", "-w", _kernels]);
        Assert.That(rc, Is.Zero, "preprocessing kernels.cu failed:\n" + output);
        var names = Regex.Matches(output, @"extern ""C""\s+__global__\s+void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?(\w+)\s*\(")
            .Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.That(names, Has.Count.GreaterThan(100), "kernels found in kernels.cu");
        string table = Path.Combine(_dir, "kernel_table.inc");
        File.WriteAllLines(table, names.Select(n => $"K({n})"));
        string driver = Path.Combine(_dir, "libcuda_emulated.so");
        (rc, output) = Run(_compiler, ["-std=c++20", "-O1", "-shared", "-fPIC", "-w", $"-DKERNELS_CU=\"{_kernels}\"", $"-DKERNEL_TABLE=\"{table}\"",
            "-I", _emulation, Path.Combine(_emulation, "driver_on_host.cpp"), "-o", driver]);
        Assert.That(rc, Is.Zero, "compiling the emulated driver failed:\n" + output);

        // `chapters gpu-check --values` in a child process (this one keeps its real driver), over the stand-in;
        // the module image is not read, so a placeholder PTX file stands in for make ptx's.
        string ptx = Path.Combine(_dir, "placeholder.ptx");
        File.WriteAllText(ptx, "// the emulated driver runs the host-compiled kernels.cu, not PTX\n");
        string chapters = Path.Combine(TestContext.CurrentContext.TestDirectory, "chapters.dll");
        Assert.That(File.Exists(chapters), chapters);
        // ENGINE_MATMUL_MAX_BLOCKS=3: the matmul kernel (cuBLAS's stand-in) gets 3 blocks for up to 90 tiles, so every
        // MatMul case runs the grid-stride over more tiles than the grid has blocks.
        var env = new Dictionary<string, string> { ["ENGINE_CUDA_DRIVER"] = driver, ["ENGINE_NO_CUBLAS"] = "1", ["ENGINE_PTX"] = ptx, ["ENGINE_MATMUL_MAX_BLOCKS"] = "3" };
        (rc, output) = Run("dotnet", [chapters, "gpu-check", "--values", "--out", _dir], env, timeoutMs: 900_000);
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Contain("# gpu-check on cuda:0 — host emulation of kernels.cu"), output);
        int cases = OpCases.All().Count;
        Assert.That(output, Does.Contain($"\n{cases} op cases compared with the CPU reference backend (CpuReference)"), output);
        Assert.That(Regex.IsMatch(output, @"\n\d+ passed, 0 failed"), output);
        Assert.That(rc, Is.Zero, output);
        TestContext.Out.WriteLine($"{cases} op cases compared through the emulated driver");
    }

    private static (int Code, string Output) Run(string file, string[] args, Dictionary<string, string>? env = null, int timeoutMs = 300_000)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) { p.Kill(true); return (-1, $"timed out after {timeoutMs / 1000} s:\n" + stdout.Result + stderr.Result); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Engine.sln not found above the test directory.");
    }
}
