namespace Engine;

/// <summary>Facts about one CUDA device, as torch.cuda.get_device_properties and nvidia-smi show them.</summary>
/// <param name="Name">e.g. "NVIDIA H100 80GB HBM3".</param>
/// <param name="TotalMemory">Bytes of device memory.</param>
/// <param name="MultiProcessorCount">Streaming multiprocessors.</param>
/// <param name="Major">Compute capability, major.</param>
/// <param name="Minor">Compute capability, minor.</param>
/// <param name="PciBusId">"00000000:19:00.0": which physical GPU this is (CUDA_VISIBLE_DEVICES renumbers them); empty when unknown.</param>
public sealed record CudaDeviceProperties(string Name, long TotalMemory, int MultiProcessorCount, int Major, int Minor, string PciBusId = "")
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"_CudaDeviceProperties(name='{Name}', major={Major}, minor={Minor}, total_memory={TotalMemory / (1024 * 1024)}MB, multi_processor_count={MultiProcessorCount}{(PciBusId.Length > 0 ? $", pci_bus_id='{PciBusId}'" : "")})";
}
