namespace Engine.Kernels;

/// <summary>Device memory behind a CUDA tensor: a block of the device's caching allocator.</summary>
public sealed class CudaStorage : Storage, IDevicePointer
{
    private readonly CachingAllocator _allocator;

    internal CudaStorage(Device device, DType dtype, long length, CachingAllocator allocator, IntPtr stream, bool zero = true)
        : base(device, dtype, length)
    {
        _allocator = allocator;
        DevicePointer = allocator.Allocate(Bytes, stream, zero);
    }

    /// <summary>The device address of element 0.</summary>
    public ulong DevicePointer { get; }

    /// <inheritdoc/>
    protected override void Free() => _allocator.Free(DevicePointer, Bytes);
}
