using System.Runtime.CompilerServices;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// A typed buffer of device memory from the context's caching allocator (ManagedCuda's
/// CudaDeviceVariable&lt;T&gt;): host↔device copies are explicit.
/// </summary>
public sealed class CudaDeviceVariable<T> : IDevicePointer, IDisposable where T : unmanaged
{
    private readonly CudaContext _context;

    /// <summary>Allocates <paramref name="size"/> zero-filled elements on the context's device.</summary>
    public CudaDeviceVariable(CudaContext context, long size)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), $"CudaDeviceVariable: size must be ≥ 0, got {size}.");
        _context = context;
        Size = size;
        DevicePointer = context.Allocator.Allocate(SizeInBytes);
    }

    /// <summary>A device copy of <paramref name="host"/>.</summary>
    public CudaDeviceVariable(CudaContext context, T[] host) : this(context, host.LongLength) => CopyToDevice(host);

    /// <summary>The device address.</summary>
    public ulong DevicePointer { get; private set; }

    /// <summary>Number of elements.</summary>
    public long Size { get; }

    /// <summary>Size in bytes.</summary>
    public long SizeInBytes => Size * Unsafe.SizeOf<T>();

    /// <summary>Copies host → device (whole buffer; lengths must match).</summary>
    public unsafe void CopyToDevice(T[] host)
    {
        if (host.LongLength != Size) throw new ArgumentException($"CopyToDevice: {host.LongLength} host elements into a device buffer of {Size}.");
        _context.SetCurrent();
        fixed (T* p = host) CudaDriver.Check(CudaDriver.cuMemcpyHtoD_v2(DevicePointer, p, (nuint)SizeInBytes), $"cuMemcpyHtoD({SizeInBytes} bytes)");
    }

    /// <summary>Copies device → host (whole buffer; waits for queued work).</summary>
    public unsafe void CopyToHost(T[] host)
    {
        if (host.LongLength != Size) throw new ArgumentException($"CopyToHost: a device buffer of {Size} into {host.LongLength} host elements.");
        _context.SetCurrent();
        fixed (T* p = host) CudaDriver.Check(CudaDriver.cuMemcpyDtoH_v2(p, DevicePointer, (nuint)SizeInBytes), $"cuMemcpyDtoH({SizeInBytes} bytes)");
    }

    /// <summary>The whole buffer as a new host array.</summary>
    public T[] ToArray()
    {
        var a = new T[Size];
        CopyToHost(a);
        return a;
    }

    /// <summary>Sets every byte to zero.</summary>
    public void Clear(CudaStream? stream = null)
    {
        _context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemsetD8Async(DevicePointer, 0, (nuint)SizeInBytes, stream?.Pointer ?? IntPtr.Zero), "cuMemsetD8Async");
    }

    /// <summary>Returns the memory to the allocator's cache.</summary>
    public void Dispose()
    {
        if (DevicePointer == 0) return;
        _context.Allocator.Free(DevicePointer, SizeInBytes);
        DevicePointer = 0;
    }
}
