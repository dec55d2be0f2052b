namespace Engine;

/// <summary>
/// tf.memory(): live tensors, data buffers and bytes on every device (<see cref="Devices"/>) and in all.
/// Variables and layer weights count too; a tensor shows up on the device it lives on now.
/// </summary>
public sealed class MemoryInfo(IReadOnlyList<DeviceMemoryInfo> devices)
{
    /// <summary>One entry per device that has held tensors, CPU first.</summary>
    public IReadOnlyList<DeviceMemoryInfo> Devices { get; } = devices;

    /// <summary>Live tensors on all devices.</summary>
    public long NumTensors => Devices.Sum(d => d.NumTensors);

    /// <summary>Live data buffers on all devices.</summary>
    public long NumDataBuffers => Devices.Sum(d => d.NumDataBuffers);

    /// <summary>Bytes of all live buffers.</summary>
    public long NumBytes => Devices.Sum(d => d.NumBytes);

    /// <summary>The entry for <paramref name="device"/> (zeros when it never held a tensor).</summary>
    public DeviceMemoryInfo this[Device device] => Devices.FirstOrDefault(d => d.Device == device) ?? new DeviceMemoryInfo(device, 0, 0, 0);

    /// <inheritdoc/>
    public override string ToString() => string.Join("; ", Devices.Select(d => $"{d.Device}: {d.NumTensors} tensors, {d.NumDataBuffers} buffers, {d.NumBytes} bytes"));
}
