using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// A caching device allocator, like PyTorch's: freed blocks go back to a pool keyed by their
/// rounded size and are handed out again without cuMemAlloc/cuMemFree (which synchronise the
/// device). Sizes round up to 512 bytes below 1 MiB and to 2 MiB above. A request comes back
/// zero-filled (IBackend.Allocate's contract) unless the caller overwrites it anyway
/// (IBackend.AllocateUninitialized: no memset, the block holds whatever its last user left). Counters follow torch.cuda.memory_allocated,
/// memory_reserved and max_memory_allocated.
/// </summary>
public sealed class CachingAllocator
{
    private readonly CudaContext _context;
    private readonly object _gate = new();
    private readonly Dictionary<long, Stack<ulong>> _pool = new();
    private long _allocated, _reserved, _peak, _mallocs, _hits;

    internal CachingAllocator(CudaContext context) => _context = context;

    /// <summary>Bytes held by live tensors and buffers (rounded sizes).</summary>
    public long Allocated { get { lock (_gate) return _allocated; } }

    /// <summary>Bytes obtained from the driver: live plus cached.</summary>
    public long Reserved { get { lock (_gate) return _reserved; } }

    /// <summary>The largest <see cref="Allocated"/> seen (since <see cref="ResetPeak"/>).</summary>
    public long PeakAllocated { get { lock (_gate) return _peak; } }

    /// <summary>Calls to cuMemAlloc so far.</summary>
    public long DriverAllocations { get { lock (_gate) return _mallocs; } }

    /// <summary>Requests served from the cache.</summary>
    public long CacheHits { get { lock (_gate) return _hits; } }

    /// <summary>The size a request of <paramref name="bytes"/> occupies.</summary>
    public static long RoundUp(long bytes) =>
        bytes <= 0 ? 512 : bytes < (1 << 20) ? (bytes + 511) / 512 * 512 : (bytes + (2 << 20) - 1) / (2 << 20) * (2 << 20);

    /// <summary>
    /// A block of at least <paramref name="bytes"/> bytes, ordered on <paramref name="stream"/>: zero-filled
    /// (a memset on the stream), or with unspecified contents when <paramref name="zero"/> is false.
    /// </summary>
    public ulong Allocate(long bytes, IntPtr stream = default, bool zero = true)
    {
        long size = RoundUp(bytes);
        ulong ptr = 0;
        lock (_gate)
        {
            if (_pool.TryGetValue(size, out var free) && free.Count > 0)
            {
                ptr = free.Pop();
                _hits++;
            }
        }
        _context.SetCurrent();
        if (ptr == 0)
        {
            int r = CudaDriver.cuMemAlloc_v2(out ptr, (nuint)size);
            if (r == 2) // CUDA_ERROR_OUT_OF_MEMORY: give the cache back and try once more
            {
                EmptyCache();
                r = CudaDriver.cuMemAlloc_v2(out ptr, (nuint)size);
            }
            if (r != 0)
                throw new CudaException(r, CudaDriver.ErrorName(r),
                    $"cuMemAlloc({size} bytes) on cuda:{_context.DeviceId} with {Allocated} bytes allocated and {Reserved} reserved");
            lock (_gate)
            {
                _reserved += size;
                _mallocs++;
            }
        }
        if (zero) CudaDriver.Check(CudaDriver.cuMemsetD8Async(ptr, 0, (nuint)size, stream), $"cuMemsetD8Async({size} bytes)");
        lock (_gate)
        {
            _allocated += size;
            _peak = Math.Max(_peak, _allocated);
        }
        return ptr;
    }

    /// <summary>Returns a block to the cache (it is reused by later requests of the same rounded size).</summary>
    public void Free(ulong pointer, long bytes)
    {
        long size = RoundUp(bytes);
        lock (_gate)
        {
            if (!_pool.TryGetValue(size, out var free)) _pool[size] = free = new Stack<ulong>();
            free.Push(pointer);
            _allocated -= size;
        }
    }

    /// <summary>Sets every byte of every cached (unused) block to <paramref name="value"/>, ordered on <paramref name="stream"/>:
    /// gpu-check poisons recycled memory with it (0xFF: float NaN) to catch ops that do not overwrite their outputs.</summary>
    internal void FillCached(byte value, IntPtr stream)
    {
        _context.SetCurrent();
        lock (_gate)
            foreach (var (size, blocks) in _pool)
                foreach (var p in blocks)
                    CudaDriver.Check(CudaDriver.cuMemsetD8Async(p, value, (nuint)size, stream), $"cuMemsetD8Async({size} bytes)");
    }

    /// <summary>Gives every cached (unused) block back to the driver (torch.cuda.empty_cache).</summary>
    public void EmptyCache()
    {
        List<(long, ulong)> blocks;
        lock (_gate)
        {
            blocks = _pool.SelectMany(kv => kv.Value.Select(p => (kv.Key, p))).ToList();
            _pool.Clear();
        }
        if (blocks.Count == 0) return;
        _context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuCtxSynchronize(), "EmptyCache: cuCtxSynchronize");
        foreach (var (size, p) in blocks)
        {
            CudaDriver.Check(CudaDriver.cuMemFree_v2(p), $"cuMemFree({size} bytes)");
            lock (_gate) _reserved -= size;
        }
    }

    /// <summary>Starts peak tracking again from the current allocation.</summary>
    public void ResetPeak()
    {
        lock (_gate) _peak = _allocated;
    }
}
