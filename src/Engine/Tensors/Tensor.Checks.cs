namespace Engine;

public sealed partial class Tensor
{
    /// <summary>Throws unless both tensors share a device and a dtype (names the op and the shapes).</summary>
    internal static void CheckSameKind(string op, Tensor a, Tensor b)
    {
        a.CheckAlive(op);
        b.CheckAlive(op);
        if (a.Device != b.Device)
            throw new InvalidOperationException($"{op}: expected all tensors on the same device, but got {a.Device} (shape {ShapeString(a._shape)}) and {b.Device} (shape {ShapeString(b._shape)}). Move one with .To(device).");
        if (a.DType != b.DType)
            throw new InvalidOperationException($"{op}: expected the same dtype, but got {a.DType.Name()} (shape {ShapeString(a._shape)}) and {b.DType.Name()} (shape {ShapeString(b._shape)}). Convert one with .To(DType.…).");
    }

    /// <summary>Throws unless the tensor holds floats.</summary>
    internal void CheckFloat(string op)
    {
        CheckAlive(op);
        if (!DType.IsFloat())
            throw new InvalidOperationException($"{op}: expected a float32 or float64 tensor, but got {DType.Name()} with shape {ShapeString(_shape)}.");
    }

    /// <summary>Throws unless the tensor is still alive (names the op and the shape it had).</summary>
    internal void CheckAlive(string op)
    {
        if (IsDisposed)
            throw new ObjectDisposedException(nameof(Tensor), $"{op}: an input of shape {ShapeString(_shape)} was disposed; its memory is gone. Keep it out of the Scope that freed it, or stop using it after Dispose().");
    }

    /// <summary>Throws unless the tensor has the given rank.</summary>
    internal void CheckRank(string op, int rank, string what = "input")
    {
        if (Rank != rank)
            throw new ArgumentException($"{op}: expected a {rank}-D {what}, but got shape {ShapeString(_shape)}.");
    }

    /// <summary>Throws unless the tensor has exactly this shape.</summary>
    public void CheckShape(string op, int[] expected, string what = "input")
    {
        if (!_shape.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{op}: expected {what} of shape {ShapeString(expected)}, but got {ShapeString(_shape)}.");
    }

    /// <summary>True when both shapes are equal.</summary>
    public bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>NumPy broadcasting: the shape both operands stretch to, or a clear error.</summary>
    public static int[] BroadcastShape(string op, int[] a, int[] b)
    {
        // A size-1 dimension stretches to the other's size, 0 included ([0] + [1] → [0], as in NumPy and PyTorch).
        int rank = Math.Max(a.Length, b.Length);
        var y = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {ShapeString(a)} and {ShapeString(b)} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            y[i] = da == 1 ? db : da;
        }
        return y;
    }
}
