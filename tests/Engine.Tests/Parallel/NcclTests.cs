using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Distributed;
using Engine.Kernels;
using Engine.Kernels.Native;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

/// <summary>
/// The nccl backend without NCCL or a GPU (this machine, CI): one clear error naming what is missing, and
/// the binding's layout and tables against nccl.h. The NCCL calls themselves run on the GPU machine
/// (scripts/device-check.sh: `chapters run 25.2b --backend nccl --device cuda`).
/// </summary>
[NonParallelizable]
public class NcclTests
{
    [Test]
    public void NcclIsOfferedNextToMpi()
    {
        Assert.That(Dist.Backends, Is.EqualTo(new[] { "mpi", "nccl" }));
    }

    [Test]
    public void AskingForNcclWithoutTheLibraryOrAGpuNamesWhatIsMissing()
    {
        string? missing = NcclProcessGroup.MissingRequirements();
        if (missing is null) Assert.Ignore("NCCL and a GPU are both here: the GPU check runs the backend for real.");
        var e = Assert.Throws<DistributedException>(() => Dist.InitProcessGroup("nccl"));
        Assert.That(e!.Message, Is.EqualTo(missing));
        Assert.That(e.Message, Does.StartWith("The nccl backend needs "));
        if (NativeLibraries.TryLoad(NcclNative.Library, out _) == IntPtr.Zero)
            Assert.That(e.Message, Does.Contain("libnccl.so.2, which is not found (tried").And.Contain("ENGINE_NCCL_LIBRARY"));
        if (DeviceRegistry.CudaDeviceCount == 0)
            Assert.That(e.Message, Does.Contain("a CUDA GPU, and none is usable here ("));
        Assert.That(e.Message, Does.EndWith("The mpi backend (--backend mpi) works without them."));
    }

    [Test]
    public void TheDdpExerciseWithNcclFailsWithTheSameSentence()
    {
        string? missing = NcclProcessGroup.MissingRequirements();
        if (missing is null) Assert.Ignore("NCCL and a GPU are both here.");
        var e = Assert.Throws<InvalidOperationException>(() => TestRun.Exercise("25.2b", true, ("backend", "nccl")));
        Assert.That(e!.Message, Is.EqualTo(missing), "the CLI prints it as `chapters: …` and exits 2");
        Assert.That(e.InnerException, Is.TypeOf<DistributedException>());
    }

    [Test]
    public void UniqueIdIs128BytesPassedByValueAndRoundTrips()
    {
        Assert.That(Marshal.SizeOf<NcclNative.UniqueId>(), Is.EqualTo(128));
        Assert.That(Unsafe.SizeOf<NcclNative.UniqueId>(), Is.EqualTo(128));
        var bytes = Enumerable.Range(0, 128).Select(i => (byte)(i * 7 + 3)).ToArray();
        Assert.That(NcclNative.UniqueId.FromArray(bytes).ToArray(), Is.EqualTo(bytes));
        Assert.Throws<ArgumentException>(() => NcclNative.UniqueId.FromArray(new byte[127]));
    }

    [Test]
    public void DataTypesAndReductionsAreThoseOfNcclH()
    {
        // nccl.h: ncclInt32 = 2, ncclInt64 = 4, ncclFloat32 = 7, ncclFloat64 = 8; ncclSum 0, ncclMax 2, ncclMin 3, ncclAvg 4.
        Assert.That(new[] { DType.Int32, DType.Int64, DType.Float32, DType.Float64 }.Select(NcclNative.DataType), Is.EqualTo(new[] { 2, 4, 7, 8 }));
        Assert.That(NcclNative.Reduction(AllReduceOp.Sum, 22703), Is.EqualTo((0, false)));
        Assert.That(NcclNative.Reduction(AllReduceOp.Max, 22703), Is.EqualTo((2, false)));
        Assert.That(NcclNative.Reduction(AllReduceOp.Min, 22703), Is.EqualTo((3, false)));
        Assert.That(NcclNative.Reduction(AllReduceOp.Avg, 21000), Is.EqualTo((4, false)), "ncclAvg from 2.10.0");
        Assert.That(NcclNative.Reduction(AllReduceOp.Avg, 20906), Is.EqualTo((0, true)), "2.9.6: sum, then divide");
        Assert.That(NcclNative.Reduction(AllReduceOp.Avg, 2804), Is.EqualTo((0, true)), "2.8.4 (old version code): sum, then divide");
    }

    [Test]
    public void VersionCodesDecodeBothWays()
    {
        Assert.That(NcclNative.VersionString(22703), Is.EqualTo("2.27.3"));
        Assert.That(NcclNative.VersionString(21003), Is.EqualTo("2.10.3"));
        Assert.That(NcclNative.VersionString(2804), Is.EqualTo("2.8.4"));
    }

    [Test]
    public void TheLibraryIsLookedForWhereTheEnvironmentSaysFirst()
    {
        string? saved = Environment.GetEnvironmentVariable("ENGINE_NCCL_LIBRARY");
        try
        {
            Environment.SetEnvironmentVariable("ENGINE_NCCL_LIBRARY", "/opt/x/nvidia/nccl/lib/libnccl.so.2");
            var names = NativeLibraries.Candidates(NcclNative.Library).ToList();
            Assert.That(names.Take(3), Is.EqualTo(new[] { "/opt/x/nvidia/nccl/lib/libnccl.so.2", "libnccl.so.2", "libnccl.so" }));
            Assert.That(names, Does.Contain("/usr/local/cuda/lib64/libnccl.so.2"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ENGINE_NCCL_LIBRARY", saved);
        }
    }

    /// <summary>
    /// The binding against a C stub with nccl.h's prototypes (Parallel/NcclStub/nccl_stub.c, built here with
    /// clang-14): the 128-byte id arrives intact by value, and every argument of the collectives arrives in its
    /// place and width (a 64-bit count, device pointers, the stream), result codes become exceptions with NCCL's text.
    /// </summary>
    [Test]
    public unsafe void TheBindingsArgumentsArriveAsNcclHDeclaresThem()
    {
        string? compiler = new[] { "/usr/bin/clang-14", "/usr/lib/llvm-14/bin/clang" }.FirstOrDefault(File.Exists);
        if (compiler is null) Assert.Ignore("clang-14 is not installed (scripts/install-deps.sh installs it).");
        string dir = Path.Combine(Path.GetTempPath(), $"engine-nccl-stub-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        string lib = Path.Combine(dir, "libnccl_stub.so");
        string source = Path.Combine(RepoRoot(), "tests", "Engine.Tests", "Parallel", "NcclStub", "nccl_stub.c");
        var psi = new System.Diagnostics.ProcessStartInfo(compiler, ["-shared", "-fPIC", "-O1", "-o", lib, source]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using (var cc = System.Diagnostics.Process.Start(psi)!)
        {
            string err = cc.StandardError.ReadToEnd() + cc.StandardOutput.ReadToEnd();
            cc.WaitForExit();
            Assert.That(cc.ExitCode, Is.Zero, "building the NCCL stub failed:\n" + err);
        }
        string? saved = Environment.GetEnvironmentVariable("ENGINE_NCCL_LIBRARY");
        try
        {
            Environment.SetEnvironmentVariable("ENGINE_NCCL_LIBRARY", lib);
            NativeLibraries.Forget(NcclNative.Library);
            var handle = NativeLibraries.TryLoad(NcclNative.Library, out string found);
            Assert.That(found, Is.EqualTo(lib));
            var last = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(handle, "stub_last");
            string Last() => Marshal.PtrToStringUTF8(last())!;

            Assert.That(NcclNative.GetVersion(out int version), Is.Zero);
            Assert.That(NcclNative.VersionString(version), Is.EqualTo("2.27.3"));
            Assert.That(NcclNative.GetUniqueId(out var id), Is.Zero);
            Assert.That(id.ToArray(), Is.EqualTo(Enumerable.Range(0, 128).Select(i => (byte)(i * 3 + 1)).ToArray()));
            Assert.That(NcclNative.CommInitRank(out IntPtr comm, 3, id, 2), Is.Zero, "the stub checks all 128 bytes, nranks 3, rank 2");
            Assert.That(comm, Is.Not.EqualTo(IntPtr.Zero));
            var bent = id.ToArray();
            bent[127] ^= 1;
            int bad = NcclNative.CommInitRank(out _, 3, NcclNative.UniqueId.FromArray(bent), 2);
            var e = Assert.Throws<DistributedException>(() => NcclNative.Check(bad, "ncclCommInitRank"));
            Assert.That(e!.Message, Is.EqualTo("ncclCommInitRank failed: stub error 4 (ncclResult_t 4)."));

            const ulong buffer = 0x7f00_0000_1000UL;
            ulong big = 5_000_000_000UL; // more than 32 bits
            nuint count = (nuint)big;
            Assert.That(NcclNative.AllReduce(buffer, buffer + 8, count, NcclNative.DataType(DType.Float32), NcclNative.Avg, comm, 0x77), Is.Zero);
            Assert.That(Last(), Does.StartWith($"send={buffer} recv={buffer + 8} count=5000000000 dtype=7 op=4 root=0 groups=0"));
            Assert.That(Last(), Does.EndWith("comm_ok=1 stream=119"));
            Assert.That(NcclNative.GroupStart(), Is.Zero);
            Assert.That(NcclNative.Broadcast(buffer, buffer, 3, NcclNative.DataType(DType.Int64), 1, comm, 0x78), Is.Zero);
            Assert.That(NcclNative.GroupEnd(), Is.Zero);
            Assert.That(Last(), Does.StartWith($"send={buffer} recv={buffer} count=3 dtype=4 op=4 root=1 groups=11"));
            Assert.That(NcclNative.CommGetAsyncError(comm, out int async), Is.Zero);
            Assert.That(async, Is.Zero);
            Assert.That(NcclNative.CommDestroy(comm), Is.Zero);
            Assert.That(Last(), Does.Contain("destroyed=1 aborted=0"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ENGINE_NCCL_LIBRARY", saved);
            NativeLibraries.Forget(NcclNative.Library);
        }
    }

    [Test]
    public void TheLocalRankComesFromTheLauncher()
    {
        string? saved = Environment.GetEnvironmentVariable("MPI_LOCALRANKID");
        try
        {
            Environment.SetEnvironmentVariable("MPI_LOCALRANKID", "1");
            Assert.That(NcclProcessGroup.LocalRank(5), Is.EqualTo(1));
            Environment.SetEnvironmentVariable("MPI_LOCALRANKID", null);
            if (Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_RANK") is null && Environment.GetEnvironmentVariable("LOCAL_RANK") is null)
                Assert.That(NcclProcessGroup.LocalRank(5), Is.EqualTo(5));
        }
        finally
        {
            Environment.SetEnvironmentVariable("MPI_LOCALRANKID", saved);
        }
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Engine.sln not found above the test directory.");
    }
}
