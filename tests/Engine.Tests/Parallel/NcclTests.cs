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
}
