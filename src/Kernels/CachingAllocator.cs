using System.Collections.Concurrent;

namespace Engine.Kernels;

/// <summary>
/// A caching device allocator, like PyTorch's: freed blocks go back to a pool keyed by their
/// rounded size and are handed out again without cuMemAlloc/cuMemFree (which synchronise the
/// device). Sizes round up to 512 bytes below 1 MiB and to 2 MiB above. A request comes back
/// zero-filled (IBackend.Allocate's contract) unless the caller overwrites it anyway
/// (IBackend.AllocateUninitialized: no memset, the block holds whatever its last user left).
/// Counters follow torch.cuda.memory_allocated, memory_reserved and max_memory_allocated.
/// <para>Streams: a block remembers the stream it was used on. The same stream takes it back at once
/// (its queued work is ordered before the new user's); another stream takes it only after an event
/// recorded on the old stream has completed, so no block is reused while a kernel still reads it.</para>
/// <para>The GC: a tensor that is never disposed gives its block back from its finalizer through
/// <see cref="FreeDeferred"/>, which only queues it (no CUDA call on the finalizer thread); the queue
/// is drained by the next <see cref="Allocate"/>, <see cref="Drain"/> (on synchronise) and
/// <see cref="EmptyCache"/>. When the driver runs out of memory the allocator runs the GC and its
/// finalizers, drains the queue and tries again before it gives the cache back and fails.</para>
/// </summary>
public sealed class CachingAllocator
{
    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    private const int OutOfMemory = 2;

    /// <summary>A cached block: its rounded size, the stream its last user ran on, and the event that
    /// tells another stream when that work is done (zero until another stream asks for it).</summary>
    private record struct Block(ulong Pointer, long Size, IntPtr Stream, IntPtr Event);

    private readonly IDeviceDriver _driver;
    private readonly object _gate = new();
    private readonly Dictionary<long, List<Block>> _pool = new();
    private readonly ConcurrentQueue<Block> _deferred = new();
    private readonly Stack<IntPtr> _idleEvents = new();
    private long _allocated, _reserved, _peak, _mallocs, _hits, _reclaimed;

    internal CachingAllocator(IDeviceDriver driver) => _driver = driver;

    /// <summary>Bytes held by live tensors and buffers (rounded sizes); blocks queued by finalizers count until drained.</summary>
    public long Allocated { get { lock (_gate) return _allocated; } }

    /// <summary>Bytes obtained from the driver: live plus cached.</summary>
    public long Reserved { get { lock (_gate) return _reserved; } }

    /// <summary>The largest <see cref="Allocated"/> seen (since <see cref="ResetPeak"/>).</summary>
    public long PeakAllocated { get { lock (_gate) return _peak; } }

    /// <summary>Calls to cuMemAlloc so far.</summary>
    public long DriverAllocations { get { lock (_gate) return _mallocs; } }

    /// <summary>Requests served from the cache.</summary>
    public long CacheHits { get { lock (_gate) return _hits; } }

    /// <summary>Blocks given back by finalizers of tensors that were never disposed (drained so far).</summary>
    public long ReclaimedByGc { get { lock (_gate) return _reclaimed; } }

    /// <summary>Blocks queued by finalizers and not yet back in the pool.</summary>
    public int PendingFrees => _deferred.Count;

    /// <summary>The size a request of <paramref name="bytes"/> occupies.</summary>
    public static long RoundUp(long bytes) =>
        bytes <= 0 ? 512 : bytes < (1 << 20) ? (bytes + 511) / 512 * 512 : (bytes + (2 << 20) - 1) / (2 << 20) * (2 << 20);

    /// <summary>
    /// A block of at least <paramref name="bytes"/> bytes, ordered on <paramref name="stream"/>: zero-filled
    /// (a memset on the stream), or with unspecified contents when <paramref name="zero"/> is false.
    /// </summary>
    public ulong Allocate(long bytes, IntPtr stream = default, bool zero = true)
    {
        Drain();
        long size = RoundUp(bytes);
        ulong ptr = Take(size, stream);
        if (ptr == 0) ptr = FromDriver(size, stream);
        if (zero) _driver.MemsetAsync(ptr, 0, size, stream);
        lock (_gate)
        {
            _allocated += size;
            _peak = Math.Max(_peak, _allocated);
        }
        return ptr;
    }

    /// <summary>A new block from cuMemAlloc; when the device is full, first the blocks of unreachable tensors, then the whole cache, go back.</summary>
    private ulong FromDriver(long size, IntPtr stream)
    {
        int r = _driver.MemAlloc(size, out ulong ptr);
        if (r == OutOfMemory)
        {
            // Tensors nobody disposed may hold the memory: the GC runs their finalizers, which queue their blocks.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Drain();
            ptr = Take(size, stream);
            if (ptr != 0) return ptr;
            EmptyCache();
            r = _driver.MemAlloc(size, out ptr);
        }
        if (r != 0) throw Failure(r, size);
        Reserve(size);
        return ptr;
    }

    private void Reserve(long size)
    {
        lock (_gate)
        {
            _reserved += size;
            _mallocs++;
        }
    }

    private CudaException Failure(int r, long size) => new(r, Native.CudaDriver.ErrorName(r),
        $"cuMemAlloc({size} bytes) on cuda:{_driver.DeviceId} with {Allocated} bytes allocated and {Reserved} reserved");

    /// <summary>A cached block of exactly <paramref name="size"/> bytes that <paramref name="stream"/> may use now, or 0.</summary>
    private ulong Take(long size, IntPtr stream)
    {
        lock (_gate)
        {
            if (!_pool.TryGetValue(size, out var blocks) || blocks.Count == 0) return 0;
            int pick = blocks.FindLastIndex(b => b.Stream == stream);
            for (int i = blocks.Count - 1; pick < 0 && i >= 0; i--)
            {
                var b = blocks[i];
                if (b.Event == IntPtr.Zero)
                {
                    // Everything that used the block is queued on its stream before now: an event recorded now follows it.
                    b = blocks[i] = b with { Event = NewEvent() };
                    _driver.EventRecord(b.Event, b.Stream);
                }
                if (_driver.EventQuery(b.Event)) pick = i;
            }
            if (pick < 0) return 0;
            var block = blocks[pick];
            blocks.RemoveAt(pick);
            if (block.Event != IntPtr.Zero) _idleEvents.Push(block.Event);
            _hits++;
            return block.Pointer;
        }
    }

    private IntPtr NewEvent() => _idleEvents.Count > 0 ? _idleEvents.Pop() : _driver.EventCreate();

    /// <summary>Returns a block to the cache, last used on <paramref name="stream"/> (reused by later requests of the same rounded size).</summary>
    public void Free(ulong pointer, long bytes, IntPtr stream = default) => Return(new Block(pointer, RoundUp(bytes), stream, IntPtr.Zero));

    private void Return(Block block)
    {
        lock (_gate)
        {
            if (!_pool.TryGetValue(block.Size, out var blocks)) _pool[block.Size] = blocks = new List<Block>();
            blocks.Add(block);
            _allocated -= block.Size;
        }
    }

    /// <summary>
    /// Queues a block for <see cref="Drain"/>: safe on the finalizer thread (no CUDA call, no context, no lock).
    /// </summary>
    public void FreeDeferred(ulong pointer, long bytes, IntPtr stream = default) =>
        _deferred.Enqueue(new Block(pointer, RoundUp(bytes), stream, IntPtr.Zero));

    /// <summary>Moves the blocks queued by finalizers into the pool.</summary>
    public void Drain()
    {
        while (_deferred.TryDequeue(out var block))
        {
            Return(block);
            lock (_gate) _reclaimed++;
        }
    }

    /// <summary>Sets every byte of every cached (unused) block to <paramref name="value"/>, ordered on <paramref name="stream"/>:
    /// gpu-check poisons recycled memory with it (0xFF: float NaN) to catch ops that do not overwrite their outputs.</summary>
    internal void FillCached(byte value, IntPtr stream)
    {
        Drain();
        lock (_gate)
            foreach (var (size, blocks) in _pool)
                foreach (var b in blocks)
                    _driver.MemsetAsync(b.Pointer, value, size, stream);
    }

    /// <summary>Gives every cached (unused) block back to the driver (torch.cuda.empty_cache).</summary>
    public void EmptyCache()
    {
        Drain();
        List<Block> blocks;
        List<IntPtr> events;
        lock (_gate)
        {
            blocks = _pool.SelectMany(kv => kv.Value).ToList();
            _pool.Clear();
            events = blocks.Where(b => b.Event != IntPtr.Zero).Select(b => b.Event).Concat(_idleEvents).ToList();
            _idleEvents.Clear();
        }
        if (blocks.Count == 0 && events.Count == 0) return;
        _driver.Synchronize();
        foreach (var e in events) _driver.EventDestroy(e);
        foreach (var b in blocks)
        {
            _driver.MemFree(b.Pointer);
            lock (_gate) _reserved -= b.Size;
        }
    }

    /// <summary>Starts peak tracking again from the current allocation.</summary>
    public void ResetPeak()
    {
        lock (_gate) _peak = _allocated;
    }
}
