namespace Engine;

/// <summary>
/// An n-dimensional array on a device: shape, dtype, device and a storage. Contiguous row-major.
/// Ops return new tensors (in-place ones end in InPlace). Tensors that need gradients record the
/// op that made them (<see cref="GradFn"/>) so <see cref="Backward"/> can run the chain rule.
/// Dispose a tensor to free its memory now (GPU memory in particular), or create it inside
/// <see cref="Scope"/> to have it freed when the scope ends.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _shape;
    private Storage? _storage;

    internal Tensor(Storage storage, int[] shape)
    {
        long size = SizeOf(shape);
        if (size != storage.Length)
            throw new ArgumentException($"Shape {ShapeString(shape)} needs {size} elements but the storage holds {storage.Length}.");
        _storage = storage;
        _shape = shape;
        TensorScope.Track(this);
        Interlocked.Increment(ref _live);
        MemoryCounters.AddTensor(storage.Device, 1);
    }

    /// <summary>Dimensions, outermost first. A scalar has shape [].</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public long Size => Storage.Length;

    /// <summary>Element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Where the elements live.</summary>
    public Device Device => Storage.Device;

    /// <summary>The backend that runs ops on this tensor's device.</summary>
    internal IBackend Backend => Device.Backend;

    /// <summary>The memory behind this tensor (shared by reshaped views).</summary>
    public Storage Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor), $"A tensor of shape {ShapeString(_shape)} was disposed; its memory is gone. Keep it out of the Scope that freed it, or stop using it after Dispose().");

    /// <summary>True after <see cref="Dispose"/>.</summary>
    public bool IsDisposed => _storage is null;

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Dim(int dim) => _shape[NormalizeAxis(dim, Rank, "Dim")];

    /// <summary>Frees the memory (shared storage is freed when its last tensor goes).</summary>
    public void Dispose()
    {
        var s = Interlocked.Exchange(ref _storage, null);
        if (s is null) return;
        MemoryCounters.AddTensor(s.Device, -1);
        s.Release();
        Interlocked.Decrement(ref _live);
        GradFn = null;
    }

    private static long _live;

    /// <summary>Number of tensors created and not yet disposed (tf.memory().numTensors).</summary>
    public static long LiveCount => Interlocked.Read(ref _live);

    /// <summary>Opens a scope that disposes every tensor created inside it, except those passed to <see cref="TensorScope.Keep"/> (tf.tidy).</summary>
    public static TensorScope Scope() => new();

    internal int[] ShapeRef => _shape;

    /// <summary>Scopes leave persistent tensors alone (gradients, optimiser state, variables).</summary>
    internal bool Persistent { get; set; }

    /// <summary>Product of the dimensions.</summary>
    public static long SizeOf(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension {d} in shape {ShapeString(shape)}.");
            n *= d;
        }
        return n;
    }

    /// <summary>"[2, 3]".</summary>
    public static string ShapeString(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    internal static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1))
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }
}
