namespace Engine.Distributed;

/// <summary>
/// A set of cooperating processes (ranks 0 … WorldSize−1) and the collectives they run together,
/// like torch.distributed's process group. Every rank must issue the same collectives in the same
/// order. Collectives work in place on a tensor; the async forms return a <see cref="Work"/> so
/// computation can go on while the data travels (DistributedDataParallel overlaps its gradient
/// all-reduce with the backward pass this way). A watchdog timeout turns a dead peer into an
/// exception instead of a hang.
/// </summary>
public abstract class ProcessGroup : IDisposable
{
    private volatile bool _broken;

    /// <summary>Creates a group whose collectives give up after <paramref name="timeout"/>.</summary>
    protected ProcessGroup(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), $"ProcessGroup: the timeout must be positive; got {timeout}.");
        Timeout = timeout;
    }

    /// <summary>"mpi", or "nccl".</summary>
    public abstract string Backend { get; }

    /// <summary>This process's rank, 0 … WorldSize−1.</summary>
    public abstract int Rank { get; }

    /// <summary>Number of processes.</summary>
    public abstract int WorldSize { get; }

    /// <summary>How long a collective may take before it is declared failed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The device collectives prefer their buffers on (CPU for MPI, the rank's GPU for NCCL).</summary>
    public abstract Device BufferDevice { get; }

    /// <summary>True after a collective failed or timed out; later collectives fail at once.</summary>
    public bool IsBroken => _broken;

    internal void MarkBroken() => _broken = true;

    /// <summary>Starts an in-place all-reduce of <paramref name="tensor"/> (float32/float64/int32/int64); do not touch it until the work is done.</summary>
    public abstract Work AllReduceAsync(Tensor tensor, AllReduceOp op = AllReduceOp.Sum);

    /// <summary>
    /// Starts one in-place all-reduce over several tensors (a DDP bucket whose gradients stay where they are).
    /// By default one <see cref="AllReduceAsync"/> per tensor; NCCL issues them as one group (ncclGroupStart/End).
    /// </summary>
    public virtual Work AllReduceCoalescedAsync(IReadOnlyList<Tensor> tensors, AllReduceOp op = AllReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("all_reduce_coalesced: no tensors given.");
        var works = tensors.Select(t => AllReduceAsync(t, op)).ToArray();
        return new Work(Task.WhenAll(works.Select(w => w.Task)), this, $"all_reduce_coalesced({op.ToString().ToLowerInvariant()}) of {tensors.Count} tensors");
    }

    /// <summary>
    /// True when DistributedDataParallel should pack each bucket into one flat pinned host buffer and reduce
    /// that (MPI: one message per bucket); false when the group reduces the gradients in place on their
    /// device with <see cref="AllReduceCoalescedAsync"/> (NCCL).
    /// </summary>
    public virtual bool PacksBucketsOnHost => BufferDevice.Type == DeviceType.Cpu;

    /// <summary>Starts an in-place broadcast of <paramref name="tensor"/> from rank <paramref name="root"/> to all ranks.</summary>
    public abstract Work BroadcastAsync(Tensor tensor, int root = 0);

    /// <summary>Starts a barrier: done when every rank has reached it.</summary>
    public abstract Work BarrierAsync();

    /// <summary>All-reduce in place and wait.</summary>
    public void AllReduce(Tensor tensor, AllReduceOp op = AllReduceOp.Sum) => AllReduceAsync(tensor, op).Wait();

    /// <summary>Broadcast in place from <paramref name="root"/> and wait.</summary>
    public void Broadcast(Tensor tensor, int root = 0) => BroadcastAsync(tensor, root).Wait();

    /// <summary>Waits until every rank gets here.</summary>
    public void Barrier() => BarrierAsync().Wait();

    /// <summary>Throws when an earlier collective failed (a broken group would hang or lie).</summary>
    protected void ThrowIfBroken(string call)
    {
        if (_broken)
            throw new DistributedException($"{call}: an earlier collective on rank {Rank} of {WorldSize} failed or timed out; this process group is unusable.");
    }

    /// <summary>Checks a tensor handed to a collective.</summary>
    protected static void CheckTensor(string call, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"{call}: the tensor was disposed.");
        if (tensor.Size > int.MaxValue) throw new ArgumentException($"{call}: at most {int.MaxValue} elements per collective; got {tensor.Size}.");
    }

    /// <summary>Shuts the group down (MPI_Finalize, ncclCommDestroy).</summary>
    public abstract void Dispose();
}
