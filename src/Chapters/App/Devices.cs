using Engine;

namespace Chapters;

/// <summary>`chapters devices`: what this machine offers (nvidia-smi's facts when a GPU is present).</summary>
public static class Devices
{
    /// <summary>Prints the devices; exits 0 with or without a GPU.</summary>
    public static int Print()
    {
        Console.WriteLine($"cpu: {Environment.ProcessorCount} logical cores, SIMD width {System.Numerics.Vector<float>.Count} floats");
        int n = DeviceRegistry.CudaDeviceCount;
        if (n == 0) Console.WriteLine($"cuda: no GPU ({DeviceRegistry.CudaUnavailableReason}); everything runs on the CPU.");
        return 0;
    }
}
