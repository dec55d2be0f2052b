namespace Engine;

/// <summary>Kinds of device.</summary>
public enum DeviceType
{
    /// <summary>The host processor (reference backend).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through the CUDA backend (src/Kernels).</summary>
    Cuda,
}

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

    /// <inheritdoc/>
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
