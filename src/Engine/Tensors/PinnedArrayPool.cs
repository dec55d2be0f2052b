namespace Engine;

/// <summary>
/// Pinned host arrays of disposed pinned CPU tensors, kept with their page-lock (the CUDA driver's
/// registration, when a GPU is present) for the next pinned tensor of that dtype and length, as PyTorch's
/// caching host allocator does: a DataLoader with pinMemory makes a pinned batch every step, and
/// registering and unregistering its pages every step would cost more than the faster copy saves.
/// A reused array is cleared first unless the caller asked for an uninitialised one; at most
/// <see cref="MaxPerSize"/> arrays per size and <see cref="MaxBytes"/> bytes in all are kept (an array
/// that does not fit is unlocked and left to the GC).
/// </summary>
internal static class PinnedArrayPool
{
    /// <summary>Most arrays kept per (dtype, length).</summary>
    internal const int MaxPerSize = 4;

    /// <summary>Most bytes kept in all.</summary>
    internal const long MaxBytes = 256L << 20;

    private static readonly Dictionary<(DType, int), Stack<(Array Data, IDisposable? PageLock)>> Free = [];
    private static long _held;

    /// <summary>A kept array of this dtype and length with its page-lock (cleared unless <paramref name="clear"/> is false), or null.</summary>
    internal static (Array Data, IDisposable? PageLock)? Take(DType dtype, int length, bool clear)
    {
        (Array Data, IDisposable? PageLock) kept;
        lock (Free)
        {
            if (!Free.TryGetValue((dtype, length), out var stack) || !stack.TryPop(out kept)) return null;
            _held -= (long)length * dtype.SizeOf();
        }
        if (clear) Array.Clear(kept.Data);
        return kept;
    }

    /// <summary>Keeps a freed pinned array and its page-lock for reuse, or unlocks it when the pool is full.</summary>
    internal static void Give(DType dtype, Array data, IDisposable? pageLock)
    {
        long bytes = data.LongLength * dtype.SizeOf();
        lock (Free)
        {
            if (!Free.TryGetValue((dtype, data.Length), out var stack)) Free[(dtype, data.Length)] = stack = new();
            if (_held + bytes <= MaxBytes && stack.Count < MaxPerSize)
            {
                stack.Push((data, pageLock));
                _held += bytes;
                return;
            }
        }
        pageLock?.Dispose();
    }
}
