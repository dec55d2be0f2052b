namespace Engine.Kernels;

/// <summary>What nvidia-smi and torch.cuda.get_device_properties report about one device.</summary>
public sealed record CudaDeviceInfo(
    int Index, string Name, long TotalMemory, long FreeMemory, int MultiProcessorCount, int Major, int Minor,
    int ClockMHz, int MemoryClockMHz, int MemoryBusWidth, int L2CacheBytes, string PciBusId)
{
    /// <summary>"9.0".</summary>
    public string ComputeCapability => $"{Major}.{Minor}";

    /// <summary>Theoretical DRAM bandwidth in GB/s (double data rate × bus width), or 0 when the driver does not say.</summary>
    public double PeakBandwidthGBs => MemoryClockMHz > 0 && MemoryBusWidth > 0 ? 2.0 * MemoryClockMHz * 1e6 * (MemoryBusWidth / 8.0) / 1e9 : 0;

    /// <summary>Reads the facts of visible device <paramref name="index"/>.</summary>
    public static CudaDeviceInfo Query(int index)
    {
        var backend = (CudaBackend)DeviceRegistry.Backend(Device.Cuda(index));
        var ctx = backend.Context;
        int Mhz(int attr) => ctx.GetAttribute(attr) is var k && k > 0 ? k / 1000 : -1;
        int domain = ctx.GetAttribute(50), bus = ctx.GetAttribute(33), dev = ctx.GetAttribute(34);
        return new CudaDeviceInfo(index, ctx.GetDeviceName(), ctx.GetTotalDeviceMemorySize(), ctx.GetFreeDeviceMemorySize(),
            ctx.GetAttribute(16), ctx.GetAttribute(75), ctx.GetAttribute(76), Mhz(13), Mhz(36), ctx.GetAttribute(37), ctx.GetAttribute(38),
            bus >= 0 ? $"{Math.Max(domain, 0):X8}:{bus:X2}:{Math.Max(dev, 0):X2}.0" : "?");
    }
}
