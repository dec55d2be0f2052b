namespace Engine.Kernels;

/// <summary>
/// The device words through which range-checking kernels (index_select, index_add, one_hot, the
/// cross-entropy with class indices) report a bad index: [0] = row + 1 of the first bad entry (0: none),
/// [1] = its value. Passed to a kernel it stands for the calling thread's own pair of words, and
/// <see cref="Check"/> reads that thread's pair: replica threads of DataParallel that share one backend
/// never read or clear each other's report.
/// </summary>
internal sealed class IndexErrorReport : IDevicePointer, IDisposable
{
    private const long Bytes = 2 * sizeof(long);
    private readonly IDeviceDriver _driver;
    private readonly CachingAllocator _allocator;
    private readonly IntPtr _stream;
    private readonly ThreadLocal<ulong> _slots = new(trackAllValues: true);
    private bool _disposed;

    internal IndexErrorReport(IDeviceDriver driver, CachingAllocator allocator, IntPtr stream)
    {
        _driver = driver;
        _allocator = allocator;
        _stream = stream;
    }

    /// <summary>The calling thread's pair of words (zero-filled on the thread's first use).</summary>
    public ulong DevicePointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_slots.Value == 0) _slots.Value = _allocator.Allocate(Bytes, _stream);
            return _slots.Value;
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
        if (word[0] == 0) return;
        _driver.MemsetAsync(slot, 0, Bytes, _stream);
        throw new ArgumentOutOfRangeException(op, $"{op}: value {word[1]} at row {word[0] - 1} is outside 0..{limit - 1}.");
    }

    /// <summary>Returns every thread's words to the allocator.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (ulong slot in _slots.Values)
            if (slot != 0) _allocator.Free(slot, Bytes, _stream);
        _slots.Dispose();
    }
}
