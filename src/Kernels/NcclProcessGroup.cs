using System.Diagnostics;
using Engine.Distributed;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// The "nccl" backend: collectives through NCCL (libnccl.so.2) on CUDA device memory, queued on the
/// engine's stream of this rank's GPU, so they run in order with the kernels that produce and use the
/// data (the gradients of backward, the optimizer step). Each rank needs a GPU of its own: rank r uses
/// cuda:(local rank), and a single GPU cannot hold two NCCL ranks.
/// <para>Rendezvous: without a launcher (or with one process) the group is a world of one, initialised
/// from a fresh ncclUniqueId. Started by <c>chapters launch --nproc N</c> (mpirun), the ranks first join
/// an MPI group, rank 0 makes the ncclUniqueId and broadcasts its 128 bytes over MPI, then every rank
/// calls ncclCommInitRank; MPI stays up until the group is disposed.</para>
/// <para>Avg is ncclAvg from NCCL 2.10 on, else ncclSum and a scale by 1/world size. Several tensors
/// (a DDP bucket) go in one ncclGroupStart/ncclGroupEnd. A <see cref="Work"/> is done when a CUDA event
/// recorded after the collective has completed; while waiting, an asynchronous NCCL error or the timeout
/// aborts the communicator (ncclCommAbort) and fails the work instead of hanging. Tensors on the CPU are
/// staged through the GPU and the call waits for them.</para>
/// </summary>
public sealed class NcclProcessGroup : ProcessGroup
{
    private readonly object _gate = new();
    private readonly CudaBackend _backend = null!;
    private readonly MpiProcessGroup? _bootstrap;
    private readonly Tensor _barrier = null!;
    private readonly int _rank, _size;
    private IntPtr _comm;
    private bool _disposed;

    /// <summary>Joins (or, alone, creates) the NCCL communicator of this launch; collectives give up after <paramref name="timeout"/>.</summary>
    public NcclProcessGroup(TimeSpan timeout) : base(timeout)
    {
        if (MissingRequirements() is string missing) throw new DistributedException(missing);
        NcclNative.Check(NcclNative.GetVersion(out int code), "ncclGetVersion");
        VersionCode = code;
        try
        {
            NcclNative.UniqueId id;
            _rank = 0;
            _size = 1;
            int localRank = 0;
            if (Dist.IsLaunched && Dist.LaunchWorldSize > 1)
            {
                _bootstrap = new MpiProcessGroup(timeout);
                _rank = _bootstrap.Rank;
                _size = _bootstrap.WorldSize;
                localRank = LocalRank(_rank);
            }
            int gpus = CudaRuntime.DeviceCount;
            if (localRank >= gpus)
                throw new DistributedException(
                    $"nccl: rank {_rank} (local rank {localRank}) has no GPU of its own: {gpus} visible here, and a GPU cannot hold two NCCL ranks. " +
                    "Launch at most one process per GPU, or use --backend mpi.");
            _backend = (CudaBackend)DeviceRegistry.Backend(Device.Cuda(localRank));
            if (_bootstrap is null) NcclNative.Check(NcclNative.GetUniqueId(out id), "ncclGetUniqueId");
            else id = ExchangeUniqueId(_bootstrap);
            _comm = InitCommunicator(id);
            _barrier = Tensor.Zeros([1], DType.Float32, _backend.Device);
            _barrier.Persistent = true;
        }
        catch
        {
            if (_comm != IntPtr.Zero) NcclNative.CommAbort(_comm);
            _bootstrap?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public override string Backend => "nccl";

    /// <inheritdoc/>
    public override int Rank => _rank;

    /// <inheritdoc/>
    public override int WorldSize => _size;

    /// <summary>This rank's GPU: every collective works on tensors there.</summary>
    public override Device BufferDevice => _backend.Device;

    /// <summary>ncclGetVersion's code (e.g. 22703 for 2.27.3).</summary>
    public int VersionCode { get; }

    /// <summary>"NCCL 2.27.3".</summary>
    public string LibraryVersion => "NCCL " + NcclNative.VersionString(VersionCode);

    /// <summary>True when this NCCL has ncclAvg (2.10 and later); otherwise Avg is a sum and a scale.</summary>
    public bool HasNativeAvg => VersionCode >= NcclNative.AvgSince;

    /// <summary>
    /// What is missing for the nccl backend on this machine (libnccl, a GPU), in one sentence, or null
    /// when both are there.
    /// </summary>
    public static string? MissingRequirements()
    {
        var missing = new List<string>();
        if (NativeLibraries.TryLoad(NcclNative.Library, out string detail) == IntPtr.Zero)
            missing.Add($"NCCL's library libnccl.so.2, which is {detail}: install NCCL, or set ENGINE_NCCL_LIBRARY to the file " +
                "(PyTorch's pip wheels bring it as nvidia-nccl-cu12/-cu13, in site-packages/nvidia/nccl/lib)");
        if (CudaRuntime.DeviceCount == 0)
            missing.Add($"a CUDA GPU, and none is usable here ({CudaRuntime.UnavailableReason})");
        return missing.Count == 0 ? null : $"The nccl backend needs {string.Join("; and ", missing)}. The mpi backend (--backend mpi) works without them.";
    }

    /// <summary>The launcher's node-local rank (MPICH: MPI_LOCALRANKID; Open MPI: OMPI_COMM_WORLD_LOCAL_RANK; torchrun: LOCAL_RANK), else the global rank.</summary>
    internal static int LocalRank(int rank)
    {
        foreach (var name in new[] { "MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK", "LOCAL_RANK" })
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out int r) && r >= 0) return r;
        return rank;
    }

    /// <summary>Rank 0 makes the id; its 128 bytes go to every rank as 32 ints over MPI.</summary>
    private static NcclNative.UniqueId ExchangeUniqueId(MpiProcessGroup mpi)
    {
        var words = new int[NcclNative.UniqueIdBytes / sizeof(int)];
        if (mpi.Rank == 0)
        {
            NcclNative.Check(NcclNative.GetUniqueId(out var made), "ncclGetUniqueId");
            Buffer.BlockCopy(made.ToArray(), 0, words, 0, NcclNative.UniqueIdBytes);
        }
        using var t = Tensor.FromArray(words);
        mpi.Broadcast(t, 0);
        var bytes = new byte[NcclNative.UniqueIdBytes];
        Buffer.BlockCopy(t.ToArray<int>(), 0, bytes, 0, bytes.Length);
        return NcclNative.UniqueId.FromArray(bytes);
    }

    /// <summary>ncclCommInitRank on a helper thread (it blocks until every rank has joined), at most the timeout.</summary>
    private IntPtr InitCommunicator(NcclNative.UniqueId id)
    {
        IntPtr comm = IntPtr.Zero;
        Exception? error = null;
        bool abandoned = false; // set under `gate` when the caller gave up waiting
        var gate = new object();
        int world = _size, rank = _rank;
        var thread = new Thread(() =>
        {
            try
            {
                _backend.Context.SetCurrent();
                NcclNative.Check(NcclNative.CommInitRank(out IntPtr made, world, id, rank), $"ncclCommInitRank(rank {rank} of {world} on {_backend.Device})");
                lock (gate)
                {
                    if (abandoned) NcclNative.CommAbort(made); // nobody will use or destroy it
                    else comm = made;
                }
            }
            catch (Exception e)
            {
                error = e;
            }
        }) { IsBackground = true, Name = "nccl-init" };
        thread.Start();
        if (!thread.Join(Timeout))
            lock (gate) abandoned = comm == IntPtr.Zero && error is null; // it may have finished just now
        if (abandoned)
            throw new DistributedTimeoutException($"ncclCommInitRank on rank {rank} of {world} did not finish within {Timeout.TotalSeconds:0.#} s: another rank probably did not start or died.");
        if (error is not null) throw error is DistributedException ? error : new DistributedException($"ncclCommInitRank on rank {rank} of {world} failed: {error.Message}", error);
        return comm;
    }

    /// <inheritdoc/>
    public override Work AllReduceAsync(Tensor tensor, AllReduceOp op = AllReduceOp.Sum) => AllReduceCoalescedAsync([tensor], op);

    /// <summary>All-reduces every tensor in place in one ncclGroupStart/ncclGroupEnd (DDP's buckets).</summary>
    public override Work AllReduceCoalescedAsync(IReadOnlyList<Tensor> tensors, AllReduceOp op = AllReduceOp.Sum)
    {
        const string call = "all_reduce";
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException($"{call}: no tensors given.");
        foreach (var t in tensors)
        {
            CheckTensor(call, t);
            if (op == AllReduceOp.Avg && !t.DType.IsFloat()) throw new ArgumentException($"{call}: Avg needs a float tensor; got {t.DType.Name()}.");
        }
        var (ncclOp, divide) = NcclNative.Reduction(op, VersionCode);
        string what = tensors.Count == 1
            ? $"{call}({op.ToString().ToLowerInvariant()}) of {tensors[0].Size:N0} {tensors[0].DType.Name()}"
            : $"{call}({op.ToString().ToLowerInvariant()}) of {tensors.Count} tensors, {tensors.Sum(t => t.Size):N0} elements";
        return Collective(what, tensors, (t, comm, stream) =>
            NcclNative.Check(NcclNative.AllReduce(Pointer(t), Pointer(t), (nuint)t.Size, NcclNative.DataType(t.DType), ncclOp, comm, stream), "ncclAllReduce"),
            divide ? 1.0 / _size : 1.0);
    }

    /// <inheritdoc/>
    public override Work BroadcastAsync(Tensor tensor, int root = 0)
    {
        const string call = "broadcast";
        CheckTensor(call, tensor);
        if (root < 0 || root >= _size) throw new ArgumentOutOfRangeException(nameof(root), $"{call}: root {root} is not a rank of this group (0..{_size - 1}).");
        return Collective($"{call} from rank {root} of {tensor.Size:N0} {tensor.DType.Name()}", [tensor], (t, comm, stream) =>
            NcclNative.Check(NcclNative.Broadcast(Pointer(t), Pointer(t), (nuint)t.Size, NcclNative.DataType(t.DType), root, comm, stream), "ncclBroadcast"), 1.0);
    }

    /// <summary>An all-reduce of one element whose completion the caller waits for (NCCL has no barrier of its own).</summary>
    public override Work BarrierAsync() => Collective("barrier", [_barrier], (t, comm, stream) =>
        NcclNative.Check(NcclNative.AllReduce(Pointer(t), Pointer(t), 1, NcclNative.Float32, NcclNative.Sum, comm, stream), "ncclAllReduce (barrier)"), 1.0);

    private static ulong Pointer(Tensor t) => ((CudaStorage)t.Storage).DevicePointer;

    /// <summary>
    /// Queues <paramref name="enqueue"/> for every tensor (grouped when several) on the engine's stream,
    /// then the scale (Avg without ncclAvg), then an event; the work completes with the event. CPU tensors
    /// go through device copies and are waited for.
    /// </summary>
    private Work Collective(string what, IReadOnlyList<Tensor> tensors, Action<Tensor, IntPtr, IntPtr> enqueue, double scale)
    {
        ThrowIfBroken(what);
        foreach (var t in tensors) // every tensor is checked before any is copied, so a refusal leaves nothing behind
            if (t.Device.Type != DeviceType.Cpu && t.Device != BufferDevice)
                throw new ArgumentException($"{what}: the tensor is on {t.Device}, but this rank's NCCL communicator works on {BufferDevice}.");
        bool staged = tensors.Any(t => t.Device.Type == DeviceType.Cpu);
        var onDevice = tensors.Select(t => t.Device.Type == DeviceType.Cpu ? t.To(BufferDevice, copy: true) : t).ToArray();
        CudaEvent done;
        lock (_gate)
        {
            if (_comm == IntPtr.Zero) throw new DistributedException($"{what}: the NCCL communicator was aborted or destroyed.");
            _backend.Context.SetCurrent();
            IntPtr stream = _backend.Stream.Pointer;
            try
            {
                if (onDevice.Length > 1) NcclNative.Check(NcclNative.GroupStart(), "ncclGroupStart");
                try
                {
                    foreach (var t in onDevice) enqueue(t, _comm, stream);
                }
                finally
                {
                    if (onDevice.Length > 1) NcclNative.Check(NcclNative.GroupEnd(), "ncclGroupEnd");
                }
            }
            catch (DistributedException e)
            {
                MarkBroken();
                throw new DistributedException($"{what} on rank {_rank} of {_size}: {e.Message}", e);
            }
            if (scale != 1.0)
                foreach (var t in onDevice) _backend.BinaryScalar(BinaryOp.Mul, t, scale, t);
            done = new CudaEvent(_backend.Context);
            done.Record(_backend.Stream);
        }
        var work = new Work(Completion(what, done), this, what);
        if (!staged) return work;
        try
        {
            work.Wait();
            for (int i = 0; i < tensors.Count; i++)
                if (!ReferenceEquals(onDevice[i], tensors[i])) _backend.CopyToHost(onDevice[i], ((CpuStorage)tensors[i].Storage).Data);
        }
        finally
        {
            for (int i = 0; i < tensors.Count; i++)
                if (!ReferenceEquals(onDevice[i], tensors[i])) onDevice[i].Dispose();
        }
        return work;
    }

    /// <summary>Polls the event; an asynchronous NCCL error or the timeout aborts the communicator and fails the work.</summary>
    private Task Completion(string what, CudaEvent done) => Task.Factory.StartNew(() =>
    {
        try
        {
            _backend.Context.SetCurrent();
            var clock = Stopwatch.StartNew();
            while (!done.Query())
            {
                if (AsyncError() is int e)
                {
                    Abort();
                    throw new DistributedException($"{what}: NCCL reports an asynchronous error: {NcclNative.Describe(e)} (ncclResult_t {e}); the communicator was aborted.");
                }
                if (clock.Elapsed > Timeout)
                {
                    Abort();
                    throw new DistributedTimeoutException(
                        $"{what} on rank {_rank} of {_size} (nccl) did not finish within {Timeout.TotalSeconds:0.#} s: another rank probably died or stopped calling collectives. The communicator was aborted.");
                }
                if (clock.Elapsed.TotalMilliseconds < 1) Thread.SpinWait(64);
                else Thread.Sleep(1);
            }
        }
        finally
        {
            done.Dispose();
        }
    }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);

    /// <summary>NCCL's asynchronous error on the communicator, or null (none, or no communicator); asked under the gate so that Dispose or Abort cannot free the communicator meanwhile.</summary>
    private int? AsyncError()
    {
        lock (_gate)
            return _comm != IntPtr.Zero && NcclNative.CommGetAsyncError(_comm, out int e) == NcclNative.Success
                && e is not (NcclNative.Success or NcclNative.InProgress) ? e : null;
    }

    /// <summary>ncclCommAbort: ends whatever NCCL has in flight on the GPU; the group is unusable afterwards.</summary>
    private void Abort()
    {
        MarkBroken();
        lock (_gate)
        {
            if (_comm == IntPtr.Zero) return;
            NcclNative.CommAbort(_comm);
            _comm = IntPtr.Zero;
        }
    }

    /// <summary>ncclCommDestroy after the stream drained (ncclCommAbort when the group is broken), then MPI_Finalize when MPI bootstrapped it.</summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_gate)
        {
            if (_comm != IntPtr.Zero)
            {
                _backend.Context.SetCurrent();
                int r;
                if (IsBroken) r = NcclNative.CommAbort(_comm);
                else
                {
                    _backend.Stream.Synchronize();
                    r = NcclNative.CommDestroy(_comm);
                }
                _comm = IntPtr.Zero;
                if (r != NcclNative.Success) Console.Error.WriteLine($"rank {_rank}: ncclCommDestroy failed: {NcclNative.Describe(r)} (ncclResult_t {r}).");
            }
        }
        _barrier.Dispose();
        _bootstrap?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"NcclProcessGroup(rank {_rank} of {_size} on {BufferDevice}, {LibraryVersion})";
}
