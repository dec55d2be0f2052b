namespace Engine.Kernels;

/// <summary>
/// Device memory behind a CUDA tensor: a block of the device's caching allocator. Disposing the last
/// tensor returns the block at once; a storage the GC finds unreachable returns it from its finalizer
/// through the allocator's deferred queue (no CUDA call on the finalizer thread).
/// </summary>
public sealed class CudaStorage : Storage, IDevicePointer
{
    private readonly CachingAllocator _allocator;
    private readonly IntPtr _stream;

    internal CudaStorage(Device device, DType dtype, long length, CachingAllocator allocator, IntPtr stream, bool zero = true)
        : base(device, dtype, length)
    {
        _allocator = allocator;
        _stream = stream;
        DevicePointer = allocator.Allocate(Bytes, stream, zero);
    }

    /// <summary>The device address of element 0.</summary>
    public ulong DevicePointer { get; }

    /// <inheritdoc/>
    protected override void Free()
    {
        GC.SuppressFinalize(this);
        _allocator.Free(DevicePointer, Bytes, _stream);
    }

    /// <summary>A storage nobody disposed: its block goes back to the allocator's deferred queue.</summary>
    ~CudaStorage()
    {
        if (ReleaseUnreachable() && DevicePointer != 0) _allocator.FreeDeferred(DevicePointer, Bytes, _stream);
    }
}
