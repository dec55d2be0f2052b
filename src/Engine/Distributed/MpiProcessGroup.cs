using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Engine.Distributed;

/// <summary>
/// The "mpi" backend: collectives through MPICH (libmpich.so.12) on host memory. One background
/// thread owns MPI (it calls MPI_Init_thread, every collective, and MPI_Finalize), so the main thread
/// can keep computing while an all-reduce is on the wire; collectives run in the order they were
/// issued. Tensors on a GPU are staged through host memory. MPI errors are returned, not fatal
/// (MPI_ERRORS_RETURN), and become <see cref="DistributedException"/>s; a collective stuck past the
/// timeout (a dead peer) becomes a <see cref="DistributedTimeoutException"/>.
/// Start the ranks with <c>chapters launch --nproc N</c> (mpirun.mpich); a process started without
/// a launcher is a world of one.
/// </summary>
public sealed class MpiProcessGroup : ProcessGroup
{
    private readonly BlockingCollection<(string What, Action Run, TaskCompletionSource Done)> _queue = new();
    private readonly Thread _thread;
    private int _rank, _size;
    private bool _disposed;

    /// <summary>Initialises MPI on the communication thread (MPI_Init_thread, MPI_THREAD_SERIALIZED).</summary>
    public MpiProcessGroup(TimeSpan timeout) : base(timeout)
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "mpi-comm" };
        _thread.Start();
        var init = Submit("MPI_Init", () =>
        {
            MpiNative.Check(MpiNative.Initialized(out int already), "MPI_Initialized");
            if (already != 0) throw new DistributedException("MPI is already initialised in this process; create one MpiProcessGroup per process.");
            MpiNative.Check(MpiNative.InitThread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out _), "MPI_Init_thread");
            MpiNative.Check(MpiNative.CommSetErrhandler(MpiNative.CommWorld, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
            MpiNative.Check(MpiNative.CommRank(MpiNative.CommWorld, out _rank), "MPI_Comm_rank");
            MpiNative.Check(MpiNative.CommSize(MpiNative.CommWorld, out _size), "MPI_Comm_size");
            LibraryVersion = MpiNative.LibraryVersion();
        });
        try
        {
            init.GetAwaiter().GetResult(); // the DistributedException itself, not an AggregateException
        }
        catch (DistributedException e) when (e.InnerException is DllNotFoundException)
        {
            throw new DistributedException("The mpi backend needs MPICH (libmpich.so.12), which is not installed: run scripts/install-deps.sh (apt-get install mpich libmpich-dev).", e);
        }
    }

    /// <inheritdoc/>
    public override string Backend => "mpi";

    /// <inheritdoc/>
    public override int Rank => _rank;

    /// <inheritdoc/>
    public override int WorldSize => _size;

    /// <inheritdoc/>
    public override Device BufferDevice => Device.Cpu;

    /// <summary>MPI's own description, e.g. "MPICH Version: 4.0.2".</summary>
    public string LibraryVersion { get; private set; } = "";

    /// <inheritdoc/>
    public override Work AllReduceAsync(Tensor tensor, AllReduceOp op = AllReduceOp.Sum)
    {
        const string call = "all_reduce";
        CheckTensor(call, tensor);
        if (op == AllReduceOp.Avg && !tensor.DType.IsFloat())
            throw new ArgumentException($"{call}: Avg needs a float tensor; got {tensor.DType.Name()}.");
        int mpiOp = op switch { AllReduceOp.Max => MpiNative.OpMax, AllReduceOp.Min => MpiNative.OpMin, _ => MpiNative.OpSum };
        return OnHost(tensor, $"{call}({op.ToString().ToLowerInvariant()}) of {tensor.Size:N0} {tensor.DType.Name()}", (data, count, type) =>
        {
            var h = GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                MpiNative.Check(MpiNative.Allreduce(MpiNative.InPlace, h.AddrOfPinnedObject(), count, type, mpiOp, MpiNative.CommWorld), "MPI_Allreduce");
            }
            finally { h.Free(); }
            if (op == AllReduceOp.Avg)
            {
                if (data is float[] f) { float s = 1f / _size; for (int i = 0; i < count; i++) f[i] *= s; }
                else { var d = (double[])data; double s = 1.0 / _size; for (int i = 0; i < count; i++) d[i] *= s; }
            }
        });
    }

    /// <inheritdoc/>
    public override Work BroadcastAsync(Tensor tensor, int root = 0)
    {
        const string call = "broadcast";
        CheckTensor(call, tensor);
        if (root < 0 || root >= _size) throw new ArgumentOutOfRangeException(nameof(root), $"{call}: root {root} is not a rank of this group (0..{_size - 1}).");
        return OnHost(tensor, $"{call} from rank {root} of {tensor.Size:N0} {tensor.DType.Name()}", (data, count, type) =>
        {
            var h = GCHandle.Alloc(data, GCHandleType.Pinned);
            try
            {
                MpiNative.Check(MpiNative.Bcast(h.AddrOfPinnedObject(), count, type, root, MpiNative.CommWorld), "MPI_Bcast");
            }
            finally { h.Free(); }
        });
    }

    /// <inheritdoc/>
    public override Work BarrierAsync()
    {
        ThrowIfBroken("barrier");
        return new Work(Submit("barrier", () => MpiNative.Check(MpiNative.Barrier(MpiNative.CommWorld), "MPI_Barrier")), this, "barrier");
    }

    /// <summary>Runs a host-array collective on the tensor's elements (staged through host memory when it is on a GPU).</summary>
    private Work OnHost(Tensor tensor, string what, Action<Array, int, int> collective)
    {
        ThrowIfBroken(what);
        int type = tensor.DType switch
        {
            DType.Float32 => MpiNative.Float,
            DType.Float64 => MpiNative.Double,
            DType.Int32 => MpiNative.Int,
            _ => MpiNative.LongLong,
        };
        int count = (int)tensor.Size;
        if (tensor.Storage is CpuStorage cpu)
            return new Work(Submit(what, () => collective(cpu.Data, count, type)), this, what);
        // A GPU tensor: copy to the host here (this thread owns the device context), reduce there, copy back when done.
        Array host = tensor.DType switch
        {
            DType.Float32 => new float[count],
            DType.Float64 => new double[count],
            DType.Int32 => new int[count],
            _ => new long[count],
        };
        tensor.Backend.CopyToHost(tensor, host);
        var task = Submit(what, () => collective(host, count, type));
        return new Work(task.ContinueWith(t =>
        {
            t.GetAwaiter().GetResult();
            tensor.Backend.CopyFromHost(host, tensor);
        }, TaskContinuationOptions.ExecuteSynchronously), this, what);
    }

    private Task Submit(string what, Action run)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _queue.Add((what, run, done));
        }
        catch (InvalidOperationException)
        {
            throw new DistributedException($"{what}: the MPI process group was disposed.");
        }
        return done.Task;
    }

    private void Loop()
    {
        foreach (var (what, run, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                run();
                done.SetResult();
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                done.SetException(new DistributedException($"{what}: cannot load MPICH ({e.Message}).", e));
            }
            catch (Exception e)
            {
                MarkBroken();
                done.SetException(e);
            }
        }
    }

    /// <summary>
    /// MPI_Finalize when the group is healthy. After a failure or timeout MPI cannot be finalised
    /// cleanly (a peer is gone), so the communication thread is left behind; the process should exit.
    /// </summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!IsBroken && _thread.IsAlive)
        {
            var fin = Submit("MPI_Finalize", () => MpiNative.Check(MpiNative.Finalize(), "MPI_Finalize"));
            try
            {
                new Work(fin, this, "MPI_Finalize").Wait();
            }
            catch (DistributedException e)
            {
                Console.Error.WriteLine($"rank {Rank}: {e.Message}");
            }
        }
        _queue.CompleteAdding();
    }
}
