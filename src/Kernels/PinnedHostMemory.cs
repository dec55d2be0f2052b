using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// Page-locked host memory for pinned CPU tensors (Tensor.ZerosPinned, the DataLoader's pinMemory):
/// the array, already at a fixed address on the pinned object heap, is registered with the driver
/// (cuMemHostRegister, portable to every context), so copies from and to it are DMA transfers
/// (cuMemcpyHtoDAsync/DtoHAsync) instead of the driver's staged copies of pageable memory.
/// The driver locks whole pages and refuses to lock a page twice, and pinned arrays lie next to each
/// other on the heap, so only the pages wholly inside the array are registered (its <see cref="Region"/>):
/// the few bytes before the first and after the last whole page are copied the pageable way, and an
/// array that holds no whole page is not locked at all.
/// The registration holds the array until it is unregistered: by disposing the tensor, or, for a
/// tensor nobody disposed, from the lock's finalizer through a queue that the next <see cref="Lock"/>,
/// copy or <see cref="Drain"/> empties (no CUDA call on the finalizer thread).
/// </summary>
internal sealed class PinnedHostMemory
{
    private readonly Func<IDeviceDriver> _driver;
    private readonly Dictionary<Array, Region> _locked = new(ReferenceEqualityComparer.Instance);

    /// <summary>The registered bytes of an array: from byte <paramref name="Offset"/> of element 0, <paramref name="Bytes"/> long.</summary>
    internal readonly record struct Region(IntPtr Start, long Offset, long Bytes);
    private readonly ConcurrentQueue<Array> _deferred = new();

    /// <param name="driver">The driver calls to register with (those of cuda:0, opened on first use).</param>
    internal PinnedHostMemory(Func<IDeviceDriver> driver) => _driver = driver;

    /// <summary>Why the last registration the driver refused failed (null when none was refused); CpuStorage.IsPageLocked is false for that array.</summary>
    internal string? LastFailure { get; private set; }

    /// <summary>Arrays registered now.</summary>
    internal int Count
    {
        get { lock (_locked) return _locked.Count; }
    }

    /// <summary>
    /// Page-locks the whole pages of <paramref name="pinned"/> (an array allocated pinned: its address never
    /// moves); the handle unlocks them. Null when the array holds no whole page.
    /// </summary>
    internal IDisposable? Lock(Array pinned)
    {
        Drain();
        long page = Environment.SystemPageSize;
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), end = address + Buffer.ByteLength(pinned);
        long first = (address + page - 1) / page * page, last = end / page * page;
        if (last <= first) return null;
        var region = new Region((IntPtr)first, first - address, last - first);
        lock (_locked)
        {
            if (_locked.ContainsKey(pinned))
                throw new InvalidOperationException($"PinnedHostMemory: this {pinned.GetType().Name} of {pinned.LongLength} elements is page-locked already.");
            try
            {
                _driver().HostRegister(region.Start, region.Bytes);
            }
            catch (CudaException e)
            {
                // Page-locking is a speed-up, not a promise: the array stays usable, copies go the pageable way.
                LastFailure = e.Message;
                return null;
            }
            _locked[pinned] = region;
        }
        return new PageLock(this, pinned);
    }

    /// <summary>The page-locked part of <paramref name="host"/>; false when it is not registered.</summary>
    internal bool TryGetRegion(Array host, out Region region)
    {
        lock (_locked) return _locked.TryGetValue(host, out region);
    }

    /// <summary>True when <paramref name="host"/> is a registered (page-locked) array.</summary>
    internal bool IsLocked(Array host) => TryGetRegion(host, out _);

    /// <summary>Unregisters the arrays queued by finalizers.</summary>
    internal void Drain()
    {
        while (_deferred.TryDequeue(out var array)) Unlock(array);
    }

    private void Unlock(Array array)
    {
        lock (_locked)
        {
            if (!_locked.Remove(array, out Region region)) return;
            _driver().HostUnregister(region.Start);
        }
    }

    /// <summary>The registration of one array: Dispose unregisters it; the finalizer queues it.</summary>
    private sealed class PageLock(PinnedHostMemory owner, Array array) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            GC.SuppressFinalize(this);
            owner.Unlock(array);
        }

        ~PageLock()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) owner._deferred.Enqueue(array);
        }
    }
}
