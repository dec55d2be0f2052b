namespace Engine.Kernels;

/// <summary>
/// The device words through which range-checking kernels (index_select, index_add, one_hot, the
/// cross-entropy with class indices) report a bad index: [0] = row + 1 of the first bad entry (0: none),
/// [1] = its value. Passed to a kernel it stands for the calling thread's own pair of words, and
/// <see cref="Check"/> reads that thread's pair: replica threads of DataParallel that share one backend
/// never read or clear each other's report. A thread holds its pair from its first launch to its check,
/// which hands the pair back for the next thread (DataParallel starts new threads every step), so the
/// pairs in use never outnumber the threads between a launch and its check.
/// </summary>
internal sealed class IndexErrorReport : IDevicePointer, IDisposable
{
    private const long Bytes = 2 * sizeof(long);
    private readonly IDeviceDriver _driver;
    private readonly CachingAllocator _allocator;
    private readonly IntPtr _stream;
    private readonly Dictionary<int, ulong> _held = new();   // managed thread id → its pair, launch to check
    private readonly Stack<ulong> _free = new();
    private bool _disposed;

    internal IndexErrorReport(IDeviceDriver driver, CachingAllocator allocator, IntPtr stream)
    {
        _driver = driver;
        _allocator = allocator;
        _stream = stream;
    }

    /// <summary>The calling thread's pair of words (zero-filled), held until its <see cref="Check"/>.</summary>
    public ulong DevicePointer
    {
        get
        {
            int thread = Environment.CurrentManagedThreadId;
            lock (_held)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_held.TryGetValue(thread, out ulong slot)) return slot;
                slot = _free.Count > 0 ? _free.Pop() : _allocator.Allocate(Bytes, _stream);
                _held[thread] = slot;
                return slot;
            }
        }
    }

    /// <summary>
    /// Waits for the calling thread's launches and throws when one of its kernels flagged an entry
    /// outside 0..<paramref name="limit"/>−1 (the report is cleared for the next launch).
    /// </summary>
    internal unsafe void Check(string op, long limit)
    {
        ulong slot = DevicePointer;
        long* word = stackalloc long[2];
        _driver.StreamSynchronize(_stream);
        _driver.CopyDtoH((IntPtr)word, slot, Bytes);
        if (word[0] != 0) _driver.MemsetAsync(slot, 0, Bytes, _stream);
        lock (_held)
        {
            _held.Remove(Environment.CurrentManagedThreadId);
            _free.Push(slot);
        }
        if (word[0] != 0)
            throw new ArgumentOutOfRangeException(op, $"{op}: value {word[1]} at row {word[0] - 1} is outside 0..{limit - 1}.");
    }

    /// <summary>Returns every pair to the allocator.</summary>
    public void Dispose()
    {
        lock (_held)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (ulong slot in _held.Values.Concat(_free)) _allocator.Free(slot, Bytes, _stream);
            _held.Clear();
            _free.Clear();
        }
    }
}
