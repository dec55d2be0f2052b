namespace Engine;

/// <summary>
/// A flat block of elements owned by one backend. Several tensors (views made by Reshape) may share
/// one storage; it is freed when the last of them is disposed (reference count).
/// </summary>
public abstract class Storage
{
    private int _references = 1;

    /// <summary>Creates a storage record.</summary>
    protected Storage(Device device, DType dtype, long length)
    {
        Device = device;
        DType = dtype;
        Length = length;
    }

    /// <summary>Where the elements live.</summary>
    public Device Device { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Size in bytes.</summary>
    public long Bytes => Length * DType.SizeOf();

    /// <summary>True once the last owner released it.</summary>
    public bool IsFreed => Volatile.Read(ref _references) <= 0;

    internal void Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(Storage), "A freed storage cannot be shared again.");
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Free();
    }

    /// <summary>Returns the memory to its backend.</summary>
    protected abstract void Free();
}

/// <summary>Host memory: a managed array (float[], double[], int[] or long[]), optionally pinned.</summary>
public sealed class CpuStorage : Storage
{
    /// <summary>Allocates a zero-filled array; <paramref name="pinned"/> keeps it at a fixed address for fast device copies.</summary>
    public CpuStorage(DType dtype, long length, bool pinned = false)
        : base(Device.Cpu, dtype, length)
    {
        if (length > Array.MaxLength)
            throw new OutOfMemoryException($"A CPU tensor holds at most {Array.MaxLength} elements; asked for {length}.");
        int n = (int)length;
        Data = dtype switch
        {
            DType.Float32 => GC.AllocateArray<float>(n, pinned),
            DType.Float64 => GC.AllocateArray<double>(n, pinned),
            DType.Int32 => GC.AllocateArray<int>(n, pinned),
            _ => GC.AllocateArray<long>(n, pinned),
        };
        IsPinned = pinned;
        CpuMemory.Add(Bytes);
    }

    /// <summary>Wraps an existing array without copying.</summary>
    public CpuStorage(Array data)
        : base(Device.Cpu, DTypeOf(data), data.LongLength)
    {
        Data = data;
        CpuMemory.Add(Bytes);
    }

    /// <summary>The elements.</summary>
    public Array Data { get; }

    /// <summary>True when the array was allocated pinned (page-locked analogue).</summary>
    public bool IsPinned { get; }

    /// <summary>The elements as a span of T (T must match the dtype).</summary>
    public Span<T> Span<T>() where T : unmanaged => ((T[])Data).AsSpan();

    /// <inheritdoc/>
    protected override void Free() => CpuMemory.Add(-Bytes);

    private static DType DTypeOf(Array data) => data switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        int[] => DType.Int32,
        long[] => DType.Int64,
        _ => throw new ArgumentException($"Tensor data must be float[], double[], int[] or long[]; got {data.GetType().Name}."),
    };
}

/// <summary>Bytes held by live CPU tensors (for the memory lessons of 21.4.5).</summary>
public static class CpuMemory
{
    private static long _bytes;

    /// <summary>Bytes currently held by CPU tensors.</summary>
    public static long Allocated => Interlocked.Read(ref _bytes);

    internal static void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);
}
