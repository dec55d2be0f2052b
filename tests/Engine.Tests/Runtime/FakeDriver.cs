using System.Runtime.InteropServices;
using Engine.Kernels;

namespace Engine.Tests.Runtime;

/// <summary>
/// A stand-in for the driver calls of one CUDA context: "device" memory is host memory (so a test can
/// play a kernel by writing to it), cuMemAlloc fails with out-of-memory past <see cref="Capacity"/>,
/// events complete only when the test says so, and every call is logged with the thread that made it.
/// </summary>
internal sealed unsafe class FakeDriver(long capacity = long.MaxValue) : IDeviceDriver, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, long> _blocks = new();
    private readonly Dictionary<IntPtr, bool> _events = new();
    private readonly Dictionary<IntPtr, long> _registered = new();
    private long _inUse, _nextEvent = 1;

    /// <summary>Bytes cuMemAlloc may hand out in all.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>Bytes handed out and not freed.</summary>
    public long InUse { get { lock (_gate) return _inUse; } }

    /// <summary>Every call, in order: its name and arguments, and the managed thread that made it.</summary>
    public List<(string Call, int Thread)> Log { get; } = new();

    /// <summary>When true, recorded events complete at once (a device that has caught up).</summary>
    public bool EventsCompleteAtOnce { get; set; }

    /// <summary>Page-locked host ranges now registered: start and length.</summary>
    public List<(IntPtr Start, long Bytes)> Registered { get { lock (_gate) return _registered.Select(kv => (kv.Key, kv.Value)).ToList(); } }

    public int DeviceId => 0;

    /// <summary>The calls whose name starts with <paramref name="prefix"/>.</summary>
    public List<string> Calls(string prefix = "")
    {
        lock (_gate) return Log.Select(l => l.Call).Where(c => c.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Marks every recorded event complete (the device finished its queued work).</summary>
    public void CompleteEvents()
    {
        lock (_gate)
            foreach (var e in _events.Keys.ToList()) _events[e] = true;
    }

    private void Note(string call)
    {
        lock (_gate) Log.Add((call, Environment.CurrentManagedThreadId));
    }

    public int MemAlloc(long bytes, out ulong pointer)
    {
        pointer = 0;
        lock (_gate)
        {
            if (_inUse + bytes > Capacity)
            {
                Log.Add(($"cuMemAlloc {bytes} out of memory", Environment.CurrentManagedThreadId));
                return 2;
            }
            pointer = (ulong)NativeMemory.AllocZeroed((nuint)bytes);
            _blocks[pointer] = bytes;
            _inUse += bytes;
        }
        Note($"cuMemAlloc {bytes}");
        return 0;
    }

    public void MemFree(ulong pointer)
    {
        lock (_gate)
        {
            _inUse -= _blocks[pointer];
            _blocks.Remove(pointer);
        }
        NativeMemory.Free((void*)pointer);
        Note("cuMemFree");
    }

    public void MemsetAsync(ulong pointer, byte value, long bytes, IntPtr stream)
    {
        NativeMemory.Fill((void*)pointer, (nuint)bytes, value);
        Note($"cuMemsetD8Async stream {stream}");
    }

    public void Synchronize() => Note("cuCtxSynchronize");

    public void StreamSynchronize(IntPtr stream) => Note($"cuStreamSynchronize stream {stream}");

    public IntPtr EventCreate()
    {
        IntPtr e;
        lock (_gate) e = (IntPtr)_nextEvent++;
        Note("cuEventCreate");
        return e;
    }

    public void EventRecord(IntPtr evt, IntPtr stream)
    {
        lock (_gate) _events[evt] = EventsCompleteAtOnce;
        Note($"cuEventRecord stream {stream}");
    }

    public bool EventQuery(IntPtr evt)
    {
        Note("cuEventQuery");
        lock (_gate) return _events[evt];
    }

    public void EventDestroy(IntPtr evt)
    {
        lock (_gate) _events.Remove(evt);
        Note("cuEventDestroy");
    }

    public void CopyHtoD(ulong dst, IntPtr src, long bytes)
    {
        Buffer.MemoryCopy((void*)src, (void*)dst, bytes, bytes);
        Note($"cuMemcpyHtoD {bytes}");
    }

    public void CopyDtoH(IntPtr dst, ulong src, long bytes)
    {
        Buffer.MemoryCopy((void*)src, (void*)dst, bytes, bytes);
        Note($"cuMemcpyDtoH {bytes}");
    }

    public void CopyHtoDAsync(ulong dst, IntPtr src, long bytes, IntPtr stream)
    {
        Buffer.MemoryCopy((void*)src, (void*)dst, bytes, bytes);
        Note($"cuMemcpyHtoDAsync {bytes} stream {stream}");
    }

    public void CopyDtoHAsync(IntPtr dst, ulong src, long bytes, IntPtr stream)
    {
        Buffer.MemoryCopy((void*)src, (void*)dst, bytes, bytes);
        Note($"cuMemcpyDtoHAsync {bytes} stream {stream}");
    }

    /// <summary>When true, cuMemHostRegister fails (as where page-locking is not permitted).</summary>
    public bool RefuseRegistration { get; set; }

    public void HostRegister(IntPtr pointer, long bytes)
    {
        if (RefuseRegistration) throw new CudaException(1, "CUDA_ERROR_INVALID_VALUE", $"cuMemHostRegister({bytes} bytes)");
        lock (_gate) _registered.Add(pointer, bytes); // throws on a second registration, as the driver refuses one
        Note($"cuMemHostRegister {bytes}");
    }

    public void HostUnregister(IntPtr pointer)
    {
        lock (_gate) _registered.Remove(pointer);
        Note("cuMemHostUnregister");
    }

    /// <summary>Frees what the test left allocated.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var p in _blocks.Keys) NativeMemory.Free((void*)p);
            _blocks.Clear();
            _inUse = 0;
        }
    }
}
