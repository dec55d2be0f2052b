namespace Engine.Kernels;

/// <summary>
/// Device memory counters of the caching allocator, like torch.cuda.memory_allocated,
/// memory_reserved, max_memory_allocated and empty_cache. Without a GPU every counter is 0.
/// </summary>
public static class CudaMemory
{
    private static CachingAllocator? Allocator(int device) =>
        DeviceRegistry.CudaDeviceCount > device ? ((CudaBackend)DeviceRegistry.Backend(Device.Cuda(device))).Context.Allocator : null;

    /// <summary>Bytes held by live tensors on cuda:<paramref name="device"/>.</summary>
    public static long Allocated(int device = 0) => Allocator(device)?.Allocated ?? 0;

    /// <summary>Bytes the allocator holds from the driver (live + cached).</summary>
    public static long Reserved(int device = 0) => Allocator(device)?.Reserved ?? 0;

    /// <summary>Peak of <see cref="Allocated"/>.</summary>
    public static long MaxAllocated(int device = 0) => Allocator(device)?.PeakAllocated ?? 0;

    /// <summary>Returns cached blocks to the driver.</summary>
    public static void EmptyCache(int device = 0) => Allocator(device)?.EmptyCache();
}
