using Engine.Kernels.Native;

namespace Engine.Kernels.Checks;

/// <summary>The two yardsticks gpu-check compares every op with: measured copy bandwidth and cuBLAS SGEMM rate.</summary>
internal static class DeviceBenchmarks
{
    /// <summary>Device-to-device copy of <paramref name="mib"/> MiB: GB/s counting the read and the write.</summary>
    public static double CopyBandwidth(CudaBackend backend, int mib = 512, int reps = 10)
    {
        long bytes = (long)mib << 20;
        using var a = new CudaDeviceVariable<byte>(backend.Context, bytes);
        using var b = new CudaDeviceVariable<byte>(backend.Context, bytes);
        double ms = OpCheck.Time(backend, () =>
            CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync_v2(b.DevicePointer, a.DevicePointer, (nuint)bytes, backend.Stream.Pointer), "cuMemcpyDtoDAsync"), reps);
        return 2.0 * bytes / (ms * 1e-3) / 1e9;
    }

    /// <summary>Host-to-device copy from pageable memory, GB/s.</summary>
    public static double HostToDeviceBandwidth(CudaBackend backend, int mib = 256, int reps = 5)
    {
        var host = new float[(mib << 20) / 4];
        using var t = Tensor.Zeros([host.Length], DType.Float32, backend.Device);
        double ms = OpCheck.Time(backend, () => backend.CopyFromHost(host, t), reps);
        return (double)host.Length * 4 / (ms * 1e-3) / 1e9;
    }

    /// <summary>cuBLAS SGEMM C[n,n] = A·B: GFLOP/s (TF32 as asked, restored after).</summary>
    public static double CublasSgemm(CudaBackend backend, int n = 4096, bool tf32 = false, int reps = 5)
    {
        var blas = backend.Blas ?? throw new InvalidOperationException("cuBLAS is not available on this machine.");
        using var a = new CudaDeviceVariable<float>(backend.Context, (long)n * n);
        using var b = new CudaDeviceVariable<float>(backend.Context, (long)n * n);
        using var c = new CudaDeviceVariable<float>(backend.Context, (long)n * n);
        bool old = blas.Tf32;
        blas.Tf32 = tf32;
        try
        {
            double ms = OpCheck.Time(backend, () => blas.Gemm(false, false, n, n, n, 1f, b.DevicePointer, n, a.DevicePointer, n, 0f, c.DevicePointer, n), reps);
            return 2.0 * n * n * n / (ms * 1e-3) / 1e9;
        }
        finally
        {
            blas.Tf32 = old;
        }
    }
}
