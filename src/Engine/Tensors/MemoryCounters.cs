namespace Engine;

/// <summary>
/// Live tensors, live storages (data buffers) and their bytes per device, kept by the Tensor and
/// Storage constructors and their Dispose/Release (reported by <see cref="Tensor.Memory"/>). Slot 0 is
/// the CPU, slot 1 + i is cuda:i; updates are single interlocked adds (no lock on the tensor hot path).
/// </summary>
internal static class MemoryCounters
{
    private const int Slots = 1 + 64;
    private static readonly long[] Tensors = new long[Slots], Buffers = new long[Slots], Bytes = new long[Slots];
    private static readonly int[] Used = new int[Slots];

    private static int Slot(Device device)
    {
        int s = device.Type == DeviceType.Cpu ? 0 : 1 + device.Index;
        if ((uint)s >= Slots) throw new ArgumentOutOfRangeException(nameof(device), $"Memory counters track at most {Slots - 1} CUDA devices; got {device}.");
        Used[s] = 1;
        return s;
    }

    /// <summary>A tensor appeared (+1) or went (−1) on <paramref name="device"/>.</summary>
    internal static void AddTensor(Device device, long delta) => Interlocked.Add(ref Tensors[Slot(device)], delta);

    /// <summary>A storage of <paramref name="bytes"/> appeared (+1) or was freed (−1, −bytes).</summary>
    internal static void AddBuffer(Device device, long delta, long bytes)
    {
        int s = Slot(device);
        Interlocked.Add(ref Buffers[s], delta);
        Interlocked.Add(ref Bytes[s], bytes);
    }

    /// <summary>(device, tensors, buffers, bytes) for every device that ever held a tensor, CPU first.</summary>
    internal static List<DeviceMemoryInfo> Snapshot()
    {
        var list = new List<DeviceMemoryInfo>();
        for (int s = 0; s < Slots; s++)
            if (Volatile.Read(ref Used[s]) != 0)
                list.Add(new DeviceMemoryInfo(s == 0 ? Device.Cpu : Device.Cuda(s - 1),
                    Interlocked.Read(ref Tensors[s]), Interlocked.Read(ref Buffers[s]), Interlocked.Read(ref Bytes[s])));
        return list;
    }
}
