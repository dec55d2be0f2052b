namespace Engine;

/// <summary>A backend whose device memory is pooled and counted (the CUDA backend's caching allocator).</summary>
public interface IDeviceMemory
{
    /// <summary>Bytes held by live tensors.</summary>
    long MemoryAllocated { get; }

    /// <summary>Bytes obtained from the driver (live plus cached).</summary>
    long MemoryReserved { get; }

    /// <summary>The largest <see cref="MemoryAllocated"/> seen.</summary>
    long MaxMemoryAllocated { get; }

    /// <summary>Returns cached, unused blocks to the driver.</summary>
    void EmptyCache();
}
