namespace Engine;

/// <summary>
/// Live tensors, live storages (data buffers) and their bytes per device, kept by the Tensor and
/// Storage constructors and their Dispose/Release (reported by <see cref="Tensor.Memory"/>).
/// </summary>
internal static class MemoryCounters
{
    private static readonly Dictionary<Device, long[]> Counts = new();

    /// <summary>A tensor appeared (+1) or went (−1) on <paramref name="device"/>.</summary>
    internal static void AddTensor(Device device, long delta) => Add(device, 0, delta);

    /// <summary>A storage of <paramref name="bytes"/> appeared (+1) or was freed (−1, −bytes).</summary>
    internal static void AddBuffer(Device device, long delta, long bytes)
    {
        Add(device, 1, delta);
        Add(device, 2, bytes);
    }

    private static void Add(Device device, int slot, long delta)
    {
        lock (Counts)
        {
            if (!Counts.TryGetValue(device, out var c)) Counts[device] = c = new long[3];
            c[slot] += delta;
        }
    }

    /// <summary>(device, tensors, buffers, bytes) for every device that ever held a tensor, CPU first.</summary>
    internal static List<DeviceMemoryInfo> Snapshot()
    {
        lock (Counts)
            return Counts.OrderBy(kv => kv.Key.Type).ThenBy(kv => kv.Key.Index)
                .Select(kv => new DeviceMemoryInfo(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2])).ToList();
    }
}
