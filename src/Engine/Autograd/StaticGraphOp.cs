namespace Engine;

/// <summary>
/// One recorded backend call of a <see cref="StaticGraph"/>: the op-table name (e.g. "MatMul",
/// "Binary.Sub", "Zero"), the buffers it reads and writes, and the call itself bound to preallocated
/// buffers. A replay runs these in order, which is the shape a CUDA graph capture needs.
/// </summary>
public sealed class StaticGraphOp
{
    internal StaticGraphOp(string name, Storage[] reads, Storage[] writes, Action run, bool isZeroInit = false)
    {
        Name = name;
        Reads = reads;
        Writes = writes;
        Run = run;
        IsZeroInit = isZeroInit;
    }

    /// <summary>The backend op, e.g. "MatMul" or "Unary.Relu".</summary>
    public string Name { get; }

    /// <summary>Buffers read.</summary>
    public IReadOnlyList<Storage> Reads { get; }

    /// <summary>Buffers written.</summary>
    public IReadOnlyList<Storage> Writes { get; }

    /// <summary>True for the zero-fill that stands for a fresh allocation.</summary>
    internal bool IsZeroInit { get; }

    /// <summary>Runs the call on its buffers.</summary>
    internal Action Run { get; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
