namespace Engine;

/// <summary>Kinds of device.</summary>
public enum DeviceType
{
    /// <summary>The host processor (reference backend).</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through the CUDA backend (src/Kernels).</summary>
    Cuda,
}
