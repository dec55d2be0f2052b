namespace Engine;

/// <summary>What one device holds: live tensors, live data buffers (several tensors can share one) and their bytes.</summary>
public sealed record DeviceMemoryInfo(Device Device, long NumTensors, long NumDataBuffers, long NumBytes);
