using System.Runtime.CompilerServices;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>What Engine.Kernels tells the device registry: how many GPUs there are and how to open one.</summary>
internal sealed class CudaProvider : ICudaProvider
{
    public int DeviceCount => CudaRuntime.DeviceCount;

    public string UnavailableReason => CudaRuntime.UnavailableReason;

    /// <summary>Page-locked host arrays, registered in cuda:0's context (portable: pinned for every device).</summary>
    private readonly PinnedHostMemory _pinned = new(() => ((CudaBackend)DeviceRegistry.Backend(Device.Cuda(0))).Context.Driver);

    public IBackend CreateBackend(int index) => new CudaBackend(index, _pinned);

    public IDisposable? PageLock(Array pinned) => DeviceCount > 0 ? _pinned.Lock(pinned) : null;

    public CudaDeviceProperties Properties(int index)
    {
        var d = CudaDeviceInfo.Query(index);
        return new CudaDeviceProperties(d.Name, d.TotalMemory, d.MultiProcessorCount, d.Major, d.Minor, d.PciBusId);
    }

    /// <summary>Runs when Engine.Kernels is loaded (DeviceRegistry loads it on first use): registers the CUDA devices and the nccl process-group backend.</summary>
#pragma warning disable CA2255 // a module initializer is exactly how this library registers itself
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        NativeLibraries.Install();
        DeviceRegistry.RegisterCuda(new CudaProvider());
        Engine.Distributed.Dist.RegisterBackend("nccl", timeout => new NcclProcessGroup(timeout));
    }
}
