using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// Page-locked host memory for pinned CPU tensors (Tensor.ZerosPinned, the DataLoader's pinMemory):
/// the array, already at a fixed address on the pinned object heap, is registered with the driver
/// (cuMemHostRegister, portable to every context), so copies from and to it are DMA transfers
/// (cuMemcpyHtoDAsync/DtoHAsync) instead of the driver's staged copies of pageable memory.
/// The registration holds the array until it is unregistered: by disposing the tensor, or, for a
/// tensor nobody disposed, from the lock's finalizer through a queue that the next <see cref="Lock"/>,
/// copy or <see cref="Drain"/> empties (no CUDA call on the finalizer thread).
/// </summary>
internal sealed class PinnedHostMemory
{
    private readonly Func<IDeviceDriver> _driver;
    private readonly Dictionary<Array, IntPtr> _locked = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentQueue<Array> _deferred = new();

    /// <param name="driver">The driver calls to register with (those of cuda:0, opened on first use).</param>
    internal PinnedHostMemory(Func<IDeviceDriver> driver) => _driver = driver;

    /// <summary>Arrays registered now.</summary>
    internal int Count
    {
        get { lock (_locked) return _locked.Count; }
    }

    /// <summary>
    /// Page-locks <paramref name="pinned"/> (an array allocated pinned: its address never moves); the handle
    /// unlocks it. Null for an empty array.
    /// </summary>
    internal IDisposable? Lock(Array pinned)
    {
        Drain();
        long bytes = Buffer.ByteLength(pinned);
        if (bytes == 0) return null;
        IntPtr address = Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0);
        lock (_locked)
        {
            if (_locked.ContainsKey(pinned))
                throw new InvalidOperationException($"PinnedHostMemory: this {pinned.GetType().Name} of {pinned.LongLength} elements is page-locked already.");
            _driver().HostRegister(address, bytes);
            _locked[pinned] = address;
        }
        return new PageLock(this, pinned);
    }

    /// <summary>True when <paramref name="host"/> is a registered (page-locked) array.</summary>
    internal bool IsLocked(Array host)
    {
        lock (_locked) return _locked.ContainsKey(host);
    }

    /// <summary>Unregisters the arrays queued by finalizers.</summary>
    internal void Drain()
    {
        while (_deferred.TryDequeue(out var array)) Unlock(array);
    }

    private void Unlock(Array array)
    {
        lock (_locked)
        {
            if (!_locked.Remove(array, out IntPtr address)) return;
            _driver().HostUnregister(address);
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
