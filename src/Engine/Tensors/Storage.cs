namespace Engine;

/// <summary>
/// A flat block of elements owned by one backend. Several tensors (views made by Reshape) may share
/// one storage; it is freed when the last of them is disposed (reference count).
/// </summary>
public abstract class Storage
{
    private int _references = 1;
    private int _version;

    /// <summary>Creates a storage record.</summary>
    protected Storage(Device device, DType dtype, long length)
    {
        Device = device;
        DType = dtype;
        Length = length;
        MemoryCounters.AddBuffer(device, 1, Bytes);
    }

    /// <summary>Where the elements live.</summary>
    public Device Device { get; }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Size in bytes.</summary>
    public long Bytes => Length * DType.SizeOf();

    /// <summary>
    /// Counts writes through the tensor API (in-place ops, CopyFrom, optimiser steps), as PyTorch's <c>_version</c>:
    /// a copy derived from the values (the blocked conv's packed weights) is stale once it changes. Writes straight
    /// into <see cref="CpuStorage.Data"/> are not counted.
    /// </summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Records a write (see <see cref="Version"/>).</summary>
    internal void Written() => Interlocked.Increment(ref _version);

    /// <summary>True once the last owner released it.</summary>
    public bool IsFreed => Volatile.Read(ref _references) <= 0;

    internal void Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(Storage), "A freed storage cannot be shared again.");
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        MemoryCounters.AddBuffer(Device, -1, -Bytes);
        Free();
    }

    /// <summary>
    /// For a finalizer: marks the storage freed whatever its reference count (no tensor can reach it any
    /// more) and updates the memory counters; false when it was freed already.
    /// </summary>
    protected bool ReleaseUnreachable()
    {
        if (Interlocked.Exchange(ref _references, 0) <= 0) return false;
        MemoryCounters.AddBuffer(Device, -1, -Bytes);
        return true;
    }

    /// <summary>Returns the memory to its backend.</summary>
    protected abstract void Free();
}

/// <summary>Host memory: a managed array (float[], double[], int[] or long[]), optionally pinned.</summary>
public sealed class CpuStorage : Storage
{
    /// <summary>Allocates a zero-filled array; <paramref name="pinned"/> keeps it at a fixed address for fast device copies.</summary>
    public CpuStorage(DType dtype, long length, bool pinned = false) : this(dtype, length, pinned, clear: true) { }

    /// <summary>
    /// Allocates an array; with <paramref name="clear"/> false its contents are unspecified (a reused
    /// pool array keeps old values), for outputs that the next op overwrites entirely.
    /// </summary>
    internal CpuStorage(DType dtype, long length, bool pinned, bool clear)
        : base(Device.Cpu, dtype, length)
    {
        if (length > Array.MaxLength)
            throw new OutOfMemoryException($"A CPU tensor holds at most {Array.MaxLength} elements; asked for {length}.");
        int n = (int)length;
        _pooled = !pinned && Bytes >= CpuArrayPool.MinBytes;
        var kept = pinned ? PinnedArrayPool.Take(dtype, n, clear) : null;
        Data = kept?.Data ?? (_pooled ? CpuArrayPool.Take(dtype, n, clear) : null) ?? dtype switch
        {
            DType.Float32 => NewArray<float>(n, pinned, clear),
            DType.Float64 => NewArray<double>(n, pinned, clear),
            DType.Int32 => NewArray<int>(n, pinned, clear),
            _ => NewArray<long>(n, pinned, clear),
        };
        IsPinned = pinned;
        if (pinned) _pageLock = kept is { } k ? k.PageLock : DeviceRegistry.PageLock(Data);
        CpuMemory.Add(Bytes);
    }

    private static T[] NewArray<T>(int n, bool pinned, bool clear) =>
        clear ? GC.AllocateArray<T>(n, pinned) : GC.AllocateUninitializedArray<T>(n, pinned);

    /// <summary>Wraps an existing array without copying.</summary>
    public CpuStorage(Array data)
        : base(Device.Cpu, DTypeOf(data), data.LongLength)
    {
        Data = data;
        CpuMemory.Add(Bytes);
    }

    /// <summary>The elements.</summary>
    public Array Data { get; }

    /// <summary>True when the array was allocated pinned (fixed address on the pinned object heap).</summary>
    public bool IsPinned { get; }

    /// <summary>True when a pinned array is also page-locked by the CUDA driver (a GPU is present): copies to and from it are DMA transfers.</summary>
    public bool IsPageLocked => _pageLock is not null;

    /// <summary>The driver's page-lock of a pinned array (null without a GPU); kept with the array in <see cref="PinnedArrayPool"/> when the storage is freed.</summary>
    private readonly IDisposable? _pageLock;

    /// <summary>The elements as a span of T (T must match the dtype).</summary>
    public Span<T> Span<T>() where T : unmanaged => ((T[])Data).AsSpan();

    /// <summary>True when this storage allocated a large unpinned array itself: freeing it returns the array to <see cref="CpuArrayPool"/>.</summary>
    private readonly bool _pooled;

    /// <inheritdoc/>
    protected override void Free()
    {
        if (IsPinned) PinnedArrayPool.Give(DType, Data, _pageLock); // kept page-locked for the next pinned tensor of this size
        CpuMemory.Add(-Bytes);
        if (_pooled) CpuArrayPool.Give(DType, Data);
    }

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

/// <summary>
/// Host arrays (≥ 16 KiB, unpinned) of disposed CPU tensors, kept by dtype and exact length for
/// the next tensor of that size: a training step that allocates the same activations and gradients
/// every iteration (inside a <see cref="Tensor.Scope"/>, e.g. the [100, 50] hidden activations of the ch24
/// TwoLayerNet) then skips the allocation (large-object heap from 85 000 bytes), its zero-fill where the op
/// overwrites the array, and the collections. A reused array is cleared first (new tensors are zero-filled) unless the caller asked for an
/// uninitialised one (<see cref="IBackend.AllocateUninitialized"/>); at most
/// <see cref="MaxPerSize"/> arrays per size and <see cref="MaxBytes"/> bytes in all are kept.
/// </summary>
internal static class CpuArrayPool
{
    /// <summary>Smallest array (bytes) worth pooling; smaller ones come cheaply from the GC's nursery.</summary>
    internal const long MinBytes = 16 * 1024;

    /// <summary>Most arrays kept per (dtype, length): a step's same-shaped temporaries (activations, their gradients).</summary>
    internal const int MaxPerSize = 8;

    /// <summary>Most bytes kept in all.</summary>
    internal const long MaxBytes = 256L << 20;

    private static readonly Dictionary<(DType, int), Stack<Array>> Free = [];
    private static long _held;

    /// <summary>An array of this dtype and length from the pool (cleared unless <paramref name="clear"/> is false), or null when none is kept.</summary>
    internal static Array? Take(DType dtype, int length, bool clear = true)
    {
        Array? a;
        lock (Free)
        {
            if (!Free.TryGetValue((dtype, length), out var stack) || !stack.TryPop(out a)) return null;
            _held -= (long)length * dtype.SizeOf();
        }
        if (clear) Array.Clear(a);
        return a;
    }

    /// <summary>Drops every kept array (tests start from an empty pool this way).</summary>
    internal static void Clear()
    {
        lock (Free)
        {
            Free.Clear();
            _held = 0;
        }
    }

    /// <summary>Keeps a freed array for reuse (or drops it to the GC when the pool is full).</summary>
    internal static void Give(DType dtype, Array a)
    {
        long bytes = a.LongLength * dtype.SizeOf();
        lock (Free)
        {
            if (_held + bytes > MaxBytes) return;
            if (!Free.TryGetValue((dtype, a.Length), out var stack)) Free[(dtype, a.Length)] = stack = new Stack<Array>();
            if (stack.Count >= MaxPerSize) return;
            stack.Push(a);
            _held += bytes;
        }
    }
}
