namespace Engine.Parallelism;

/// <summary>
/// Copies between a tensor's elements and a slice of a flat host buffer (gradient buckets, coalesced
/// broadcasts). CPU tensors are copied span to span; tensors on a GPU go through one host array.
/// </summary>
internal static class FlatBuffer
{
    /// <summary>flat[offset … offset+src.Size) = src (same dtype; flat is a CPU tensor).</summary>
    public static void Pack(Tensor src, Tensor flat, int offset)
    {
        Check("Pack", src, flat, offset);
        var dst = ((CpuStorage)flat.Storage).Data;
        if (src.Storage is CpuStorage cpu) Array.Copy(cpu.Data, 0, dst, offset, src.Size);
        else
        {
            var host = Array.CreateInstance(dst.GetType().GetElementType()!, src.Size);
            src.Device.Backend.CopyToHost(src, host);
            Array.Copy(host, 0, dst, offset, src.Size);
        }
    }

    /// <summary>dst = flat[offset … offset+dst.Size).</summary>
    public static void Unpack(Tensor flat, int offset, Tensor dst)
    {
        Check("Unpack", dst, flat, offset);
        var src = ((CpuStorage)flat.Storage).Data;
        if (dst.Storage is CpuStorage cpu) Array.Copy(src, offset, cpu.Data, 0, dst.Size);
        else
        {
            var host = Array.CreateInstance(src.GetType().GetElementType()!, dst.Size);
            Array.Copy(src, offset, host, 0, dst.Size);
            dst.Device.Backend.CopyFromHost(host, dst);
        }
    }

    private static void Check(string op, Tensor t, Tensor flat, int offset)
    {
        if (flat.Storage is not CpuStorage)
            throw new InvalidOperationException($"FlatBuffer.{op}: the flat buffer must be on the CPU; it is on {flat.Device}.");
        if (t.DType != flat.DType)
            throw new InvalidOperationException($"FlatBuffer.{op}: tensor dtype {t.DType.Name()} differs from the buffer's {flat.DType.Name()}.");
        if (offset < 0 || offset + t.Size > flat.Size)
            throw new ArgumentOutOfRangeException(nameof(offset), $"FlatBuffer.{op}: {t.Size} elements at offset {offset} do not fit a buffer of {flat.Size}.");
    }
}
