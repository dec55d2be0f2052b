using System.Runtime.CompilerServices;

namespace Engine.Kernels.Checks;

/// <summary>
/// Device memory and the GC on a real card: allocates 256 MiB tensors, four times the card's memory in
/// all, and never disposes one. Their storages come back through their finalizers (the allocator runs the
/// GC when the driver runs out of memory and reuses the blocks the finalizers queued), so the loop must
/// finish without an out-of-memory error and with <see cref="CachingAllocator.Allocated"/> within the card.
/// </summary>
internal static class DeviceMemoryCheck
{
    /// <summary>What the loop saw: tensors made, bytes asked for in all, the card's size, the allocator's counters after the loop.</summary>
    internal readonly record struct Result(int Tensors, long BytesRequested, long DeviceBytes, long Allocated, long Reserved, long DriverAllocations, long ReclaimedByGc, double Seconds)
    {
        /// <summary>True when the loop stayed within the card.</summary>
        public bool Pass => Allocated <= DeviceBytes && Reserved <= DeviceBytes;
    }

    /// <summary>Runs the loop on <paramref name="backend"/>'s device (OutOfMemory from the driver fails it by exception).</summary>
    internal static Result Run(CudaBackend backend)
    {
        const long block = 256L << 20;
        var allocator = backend.Context.Allocator;
        long total = backend.Context.GetTotalDeviceMemorySize();
        int steps = (int)Math.Min(4 * total / block + 8, 8192);
        long reclaimedBefore = allocator.ReclaimedByGc, mallocsBefore = allocator.DriverAllocations;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Abandon(backend.Device, block);
        backend.Synchronize();
        var result = new Result(steps, steps * block, total, allocator.Allocated, allocator.Reserved,
            allocator.DriverAllocations - mallocsBefore, allocator.ReclaimedByGc - reclaimedBefore, clock.Elapsed.TotalSeconds);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        allocator.EmptyCache(); // the card back for cuBLAS and the checks after this one
        return result;
    }

    // A tensor nobody disposes: unreachable as soon as this returns.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(Device device, long bytes) => _ = Tensor.Zeros([(int)(bytes / sizeof(float))], DType.Float32, device);
}
