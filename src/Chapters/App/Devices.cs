using Engine;
using Engine.Kernels;

namespace Chapters;

/// <summary>`chapters devices`: what this machine offers — the CPU, and per GPU what nvidia-smi would show.</summary>
public static class Devices
{
    /// <summary>The --device value that runs an exercise on <see cref="CpuReference"/>, the plain one-loop-per-op backend.</summary>
    public const string CpuReferenceName = "cpu-ref";

    /// <summary>Parses a --device value: cpu, cuda, cuda:N, or cpu-ref (CPU tensors whose ops run on CpuReference).</summary>
    public static Device Parse(string text) => IsCpuReference(text) ? Device.Cpu : Device.Parse(text);

    /// <summary>True for the --device value cpu-ref.</summary>
    public static bool IsCpuReference(string? text) => string.Equals(text?.Trim(), CpuReferenceName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// For --device cpu-ref, a scope in which every CPU op runs on <see cref="CpuReference"/> (dispose it to go back
    /// to the fast CpuBackend); null for any other device.
    /// </summary>
    public static IDisposable? BackendScope(IReadOnlyDictionary<string, string> options) =>
        IsCpuReference(options.GetValueOrDefault("device")) ? DeviceRegistry.UseCpuBackend(CpuReference.Instance) : null;

    /// <summary>Prints the devices; exits 0 with or without a GPU.</summary>
    public static int Print()
    {
        Console.WriteLine($"cpu: {Environment.ProcessorCount} logical cores, SIMD width {System.Numerics.Vector<float>.Count} floats");
        int n = DeviceRegistry.CudaDeviceCount;
        if (n == 0)
        {
            Console.WriteLine($"cuda: no GPU ({DeviceRegistry.CudaUnavailableReason}); everything runs on the CPU.");
            return 0;
        }
        string visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { } v ? $"   CUDA_VISIBLE_DEVICES={v}" : "";
        const string rule = "+-----------------------------------------------------------------------------------------+";
        Console.WriteLine(rule);
        Console.WriteLine($"| {$"Driver CUDA version: {CudaRuntime.DriverVersion}   cuBLAS: {(CudaBlas.IsAvailable ? CudaBlas.LibraryDescription : "not found")}{visible}",-87} |");
        Console.WriteLine(rule);
        Console.WriteLine($"| {"GPU",-3} {"Name",-28} {"Bus-Id",-16} {"Memory-Usage",-21} {"SMs",4} {"CC",4} {"",5} |");
        Console.WriteLine($"| {"",-3} {"Clock / Mem clock",-28} {"Bus width",-16} {"L2 cache",-21} {"Peak GB/s",14} |");
        Console.WriteLine(rule);
        for (int i = 0; i < n; i++)
        {
            var d = CudaDeviceInfo.Query(i);
            long usedMiB = (d.TotalMemory - d.FreeMemory) >> 20, totalMiB = d.TotalMemory >> 20;
            string name = d.Name.Length > 28 ? d.Name[..28] : d.Name;
            Console.WriteLine($"| {i,-3} {name,-28} {d.PciBusId,-16} {$"{usedMiB}MiB / {totalMiB}MiB",-21} {d.MultiProcessorCount,4} {d.ComputeCapability,4} {"",5} |");
            Console.WriteLine($"| {"",-3} {$"{d.ClockMHz} MHz / {d.MemoryClockMHz} MHz",-28} {$"{d.MemoryBusWidth}-bit",-16} {$"{d.L2CacheBytes >> 20} MiB",-21} {d.PeakBandwidthGBs,14:F0} |");
        }
        Console.WriteLine(rule);
        var backend = (CudaBackend)DeviceRegistry.Backend(Device.Cuda(0));
        Console.WriteLine($"kernels: {backend.KernelSource}; caching allocator on cuda:0: {CudaMemory.Allocated() >> 20} MiB allocated, {CudaMemory.Reserved() >> 20} MiB reserved");
        return 0;
    }
}
