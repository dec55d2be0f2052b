namespace Engine.Parallelism;

/// <summary>
/// One bucket of DistributedDataParallel: a few parameters whose gradients travel together in one
/// all-reduce (fewer, larger messages than one per parameter): through a flat pinned host buffer for
/// groups that reduce host memory (MPI), or in place on the device as one grouped call (NCCL).
/// </summary>
public sealed class GradBucket
{
    internal GradBucket(int index, IReadOnlyList<int> parameterIndices, IReadOnlyList<Tensor> parameters, bool hostBuffer = true)
    {
        Index = index;
        ParameterIndices = parameterIndices;
        Parameters = parameters;
        Offsets = new int[parameters.Count];
        int offset = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            Offsets[i] = offset;
            offset += (int)parameters[i].Size;
        }
        Size = offset;
        if (!hostBuffer) return;
        Flat = Tensor.ZerosPinned([offset], parameters[0].DType);
        Flat.Persistent = true;
    }

    /// <summary>Position in launch order (0 is reduced first: the last layers, whose gradients come first).</summary>
    public int Index { get; }

    /// <summary>Indices into the model's Parameters() list.</summary>
    public IReadOnlyList<int> ParameterIndices { get; }

    /// <summary>The parameters, in bucket order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Where each parameter's gradient starts in <see cref="Flat"/>.</summary>
    public int[] Offsets { get; }

    /// <summary>The flat gradient buffer (pinned host memory); null when the gradients are reduced in place on their device.</summary>
    public Tensor? Flat { get; }

    /// <summary>Elements in the bucket.</summary>
    public long Size { get; }

    /// <summary>Bytes in the bucket.</summary>
    public long Bytes => Size * Parameters[0].DType.SizeOf();

    /// <summary>The parameters' gradients (what an in-place reduction works on).</summary>
    internal Tensor[] Gradients() => Parameters.Select(p => p.Grad!).ToArray();

    internal int Pending { get; set; }

    internal Distributed.Work? Work { get; set; }

    /// <summary>Copies every parameter's gradient into the flat buffer.</summary>
    internal void Pack()
    {
        if (Flat is null) return;
        for (int i = 0; i < Parameters.Count; i++) FlatBuffer.Pack(Parameters[i].Grad!, Flat, Offsets[i]);
    }

    /// <summary>Copies the reduced gradients back.</summary>
    internal void Unpack()
    {
        if (Flat is null) return;
        for (int i = 0; i < Parameters.Count; i++) FlatBuffer.Unpack(Flat, Offsets[i], Parameters[i].Grad!);
    }
}
