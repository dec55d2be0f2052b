namespace Engine;

/// <summary>
/// Where a tensor lives, like torch.device: "cpu", "cuda:0". Each device has one backend that
/// carries out the op table (<see cref="IBackend"/>).
/// </summary>
public sealed record Device(DeviceType Type, int Index = 0)
{
    /// <summary>The host.</summary>
    public static readonly Device Cpu = new(DeviceType.Cpu);

    /// <summary>CUDA device <paramref name="index"/> (after CUDA_VISIBLE_DEVICES).</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>cuda:0 when a GPU is usable, else the CPU.</summary>
    public static Device CudaIfAvailable() => DeviceRegistry.CudaDeviceCount > 0 ? Cuda(0) : Cpu;

    /// <summary>True when at least one CUDA device is usable (torch.cuda.is_available()).</summary>
    public static bool IsAvailable => DeviceRegistry.CudaDeviceCount > 0;

    /// <summary>Number of visible CUDA devices (torch.cuda.device_count()); the driver applies CUDA_VISIBLE_DEVICES.</summary>
    public static int DeviceCount => DeviceRegistry.CudaDeviceCount;

    /// <summary>Name, memory, SM count and compute capability of cuda:<paramref name="index"/> (torch.cuda.get_device_properties).</summary>
    public static CudaDeviceProperties GetDeviceProperties(int index = 0)
    {
        int n = DeviceCount;
        if (n == 0) throw new DeviceUnavailableException($"GetDeviceProperties: no CUDA device is usable ({DeviceRegistry.CudaUnavailableReason}).");
        if (index < 0 || index >= n) throw new ArgumentOutOfRangeException(nameof(index), $"GetDeviceProperties: cuda:{index} does not exist; {n} device(s) are visible.");
        return DeviceRegistry.Cuda!.Properties(index);
    }

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t[5..], out int i) && i >= 0) return Cuda(i);
        throw new ArgumentException($"Unknown device '{text}'; expected cpu, cuda or cuda:N.");
    }

    /// <summary>The backend that runs ops on this device (throws with a clear message if the device is absent).</summary>
    public IBackend Backend => StaticGraph.Intercept(DeviceRegistry.Backend(this));

    /// <summary>Bytes held by live tensors on this device (torch.cuda.memory_allocated; on the CPU, <see cref="CpuMemory.Allocated"/>).</summary>
    public long MemoryAllocated => Memory?.MemoryAllocated ?? (Type == DeviceType.Cpu ? CpuMemory.Allocated : 0);

    /// <summary>Bytes the device's caching allocator holds from the driver (torch.cuda.memory_reserved).</summary>
    public long MemoryReserved => Memory?.MemoryReserved ?? MemoryAllocated;

    /// <summary>Peak of <see cref="MemoryAllocated"/> (torch.cuda.max_memory_allocated).</summary>
    public long MaxMemoryAllocated => Memory?.MaxMemoryAllocated ?? MemoryAllocated;

    /// <summary>Returns the caching allocator's unused blocks to the driver (torch.cuda.empty_cache).</summary>
    public void EmptyCache() => Memory?.EmptyCache();

    private IDeviceMemory? Memory => Type == DeviceType.Cuda && DeviceRegistry.CudaDeviceCount > Index ? DeviceRegistry.Backend(this) as IDeviceMemory : null;

    /// <inheritdoc/>
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
