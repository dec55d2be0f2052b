using System.Text;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// The primary context of one CUDA device (what the runtime API and PyTorch use), made current on
/// the calling thread by every operation. Holds the device's caching allocator and its kernels.
/// Shaped like ManagedCuda's CudaContext.
/// </summary>
public sealed class CudaContext : IDisposable
{
    private IntPtr _context;
    private readonly Lazy<KernelLibrary> _kernels;

    /// <summary>Retains the primary context of device <paramref name="deviceId"/> (after CUDA_VISIBLE_DEVICES).</summary>
    public CudaContext(int deviceId = 0)
    {
        CudaRuntime.EnsureInitialised();
        int count = GetDeviceCount();
        if (deviceId < 0 || deviceId >= count)
            throw new ArgumentOutOfRangeException(nameof(deviceId), $"CudaContext: cuda:{deviceId} does not exist; {count} device(s) are visible.");
        CudaDriver.Check(CudaDriver.cuDeviceGet(out int device, deviceId), $"cuDeviceGet({deviceId})");
        Device = device;
        DeviceId = deviceId;
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out _context, device), $"cuDevicePrimaryCtxRetain(cuda:{deviceId})");
        SetCurrent();
        Driver = new ContextDriver(this);
        Allocator = new CachingAllocator(Driver);
        // One module per context even when replica threads ask for their first kernel together.
        _kernels = new Lazy<KernelLibrary>(() => new KernelLibrary(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The index among visible devices.</summary>
    public int DeviceId { get; }

    internal int Device { get; }

    /// <summary>The driver calls of this context that the allocator and the copies make.</summary>
    internal IDeviceDriver Driver { get; }

    /// <summary>The device memory pool of this context.</summary>
    public CachingAllocator Allocator { get; }

    /// <summary>Number of visible devices (0 when there is no GPU or driver).</summary>
    public static int GetDeviceCount() => CudaRuntime.DeviceCount;

    /// <summary>Makes this context current on the calling thread.</summary>
    public void SetCurrent()
    {
        if (_context == IntPtr.Zero) throw new ObjectDisposedException(nameof(CudaContext));
        CudaDriver.Check(CudaDriver.cuCtxSetCurrent(_context), $"cuCtxSetCurrent(cuda:{DeviceId})");
    }

    /// <summary>Waits for all work queued in this context.</summary>
    public void Synchronize()
    {
        SetCurrent();
        CudaDriver.Check(CudaDriver.cuCtxSynchronize(), $"cuCtxSynchronize(cuda:{DeviceId})");
    }

    /// <summary>The device's marketing name (e.g. "NVIDIA H100 80GB HBM3").</summary>
    public string GetDeviceName() => CudaRuntime.DeviceName(Device);

    /// <summary>Total device memory in bytes.</summary>
    public long GetTotalDeviceMemorySize()
    {
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem_v2(out nuint bytes, Device), "cuDeviceTotalMem");
        return (long)bytes;
    }

    /// <summary>Free device memory in bytes (as the driver sees it, all processes).</summary>
    public long GetFreeDeviceMemorySize()
    {
        SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemGetInfo_v2(out nuint free, out _), "cuMemGetInfo");
        return (long)free;
    }

    /// <summary>A device attribute (CU_DEVICE_ATTRIBUTE_*), or −1 when the driver does not report it.</summary>
    public int GetAttribute(int attribute) => CudaDriver.cuDeviceGetAttribute(out int v, attribute, Device) == 0 ? v : -1;

    /// <summary>The kernels of kernels.cu in this context (PTX built by make ptx, else NVRTC).</summary>
    internal KernelLibrary Kernels => _kernels.Value;

    /// <summary>A kernel of kernels.cu by name.</summary>
    public CudaKernel LoadKernel(string name) => Kernels.Get(name);

    /// <summary>Releases the primary context reference.</summary>
    public void Dispose()
    {
        if (_context == IntPtr.Zero) return;
        if (_kernels.IsValueCreated) _kernels.Value.Dispose();
        Allocator.EmptyCache();
        CudaDriver.cuDevicePrimaryCtxRelease_v2(Device);
        _context = IntPtr.Zero;
    }
}
