using System.Diagnostics;
using Engine.Distributed;
using Engine.Nn;

namespace Engine.Parallelism;

/// <summary>
/// torch.nn.parallel.DistributedDataParallel: one process per device, each with a full copy of the
/// model and its own shard of every batch. At construction rank 0's parameters and buffers are
/// broadcast so every rank starts equal. During <c>loss.Backward()</c> each parameter's gradient, as
/// soon as it is accumulated, counts towards its bucket; a full bucket is packed into a flat buffer
/// and all-reduced (averaged) asynchronously while the backward pass goes on (<c>overlap</c>), in
/// bucket order on every rank (MPI reduces a flat pinned host copy of the bucket; NCCL reduces the
/// gradients in place on the GPU, one grouped call per bucket). When the last bucket is launched the backward waits for all of them
/// and writes the averaged gradients back, so after Backward() returns every rank holds the same
/// gradients — those of the full batch when the shards are equal — and any optimizer keeps the
/// replicas identical. With <c>overlap: false</c> the buckets are reduced only after every gradient
/// is ready. Every parameter must take part in the loss exactly once per backward.
/// </summary>
public sealed class DistributedDataParallel : Module, IDisposable
{
    private readonly Tensor[] _params;
    private readonly string[] _names;
    private readonly GradBucket[] _buckets;
    private readonly int[] _bucketOf;
    private readonly bool[] _ready;
    private readonly List<IDisposable> _hooks = new();
    private int _readyCount;
    private int _nextLaunch;
    private bool _expecting;
    private long _launchStart;

    /// <summary>
    /// Wraps <paramref name="module"/> (already on this rank's device). <paramref name="bucketCapMb"/> is the
    /// bucket size in MiB as in PyTorch (25 by default); <paramref name="overlap"/> starts each bucket's
    /// all-reduce during backward.
    /// </summary>
    public DistributedDataParallel(Module module, ProcessGroup group, double bucketCapMb = 25, bool overlap = true, bool broadcastParameters = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(group);
        if (!(bucketCapMb > 0)) throw new ArgumentOutOfRangeException(nameof(bucketCapMb), $"DistributedDataParallel: bucketCapMb must be positive; got {bucketCapMb}.");
        Module = RegisterModule("module", module);
        Group = group;
        Overlap = overlap;
        BucketCapBytes = Math.Max(1, (long)(bucketCapMb * 1024 * 1024));
        var named = module.NamedParameters().ToArray();
        if (named.Length == 0) throw new ArgumentException("DistributedDataParallel: the module has no parameters to synchronise.");
        _params = named.Select(p => p.Parameter).ToArray();
        _names = named.Select(p => p.Name).ToArray();
        var distinct = new HashSet<Tensor>(_params, ReferenceEqualityComparer.Instance);
        if (distinct.Count != _params.Length) throw new ArgumentException("DistributedDataParallel: a parameter is registered twice (shared weights); register it once.");
        foreach (var p in _params)
            if (!p.DType.IsFloat()) throw new ArgumentException($"DistributedDataParallel: parameters must be float; got {p.DType.Name()}.");
        bool onHost = group.PacksBucketsOnHost;
        if (!onHost)
            for (int i = 0; i < _params.Length; i++)
                if (_params[i].Device != group.BufferDevice)
                    throw new ArgumentException($"DistributedDataParallel: the {group.Backend} process group reduces on {group.BufferDevice}, but parameter '{_names[i]}' is on {_params[i].Device}; move the model there first (model.To(group.BufferDevice)).");

        if (broadcastParameters && group.WorldSize > 1)
        {
            foreach (var p in _params) group.Broadcast(p, 0);
            foreach (var (_, b) in module.NamedBuffers()) group.Broadcast(b, 0);
        }

        // Buckets in reverse registration order: the last layers' gradients are ready first in backward.
        var buckets = new List<GradBucket>();
        var current = new List<int>();
        long bytes = 0;
        void Close()
        {
            if (current.Count == 0) return;
            buckets.Add(new GradBucket(buckets.Count, current.ToArray(), current.Select(i => _params[i]).ToArray(), onHost));
            current = new List<int>();
            bytes = 0;
        }
        for (int i = _params.Length - 1; i >= 0; i--)
        {
            if (current.Count > 0 && _params[current[0]].DType != _params[i].DType) Close();
            current.Add(i);
            bytes += _params[i].Size * _params[i].DType.SizeOf();
            if (bytes >= BucketCapBytes) Close();
        }
        Close();
        _buckets = buckets.ToArray();
        _bucketOf = new int[_params.Length];
        foreach (var b in _buckets)
            foreach (int i in b.ParameterIndices) _bucketOf[i] = b.Index;
        _ready = new bool[_params.Length];
        for (int i = 0; i < _params.Length; i++)
        {
            int index = i;
            _hooks.Add(_params[i].RegisterPostAccumulateGradHook(_ => OnGradReady(index)));
        }
    }

    /// <summary>The wrapped model.</summary>
    public Module Module { get; }

    /// <summary>The process group the gradients are averaged over.</summary>
    public ProcessGroup Group { get; }

    /// <summary>True when buckets are all-reduced while backward is still running.</summary>
    public bool Overlap { get; }

    /// <summary>Whether rank 0's buffers are broadcast before every forward (PyTorch's broadcast_buffers, on by default).</summary>
    public bool BroadcastBuffers { get; set; } = true;

    /// <summary>Bucket capacity in bytes.</summary>
    public long BucketCapBytes { get; }

    /// <summary>The buckets in launch order.</summary>
    public IReadOnlyList<GradBucket> Buckets => _buckets;

    /// <summary>Seconds the last backward spent waiting for all-reduces after its last bucket was launched (communication not hidden by computation).</summary>
    public double LastExposedCommSeconds { get; private set; }

    /// <summary>Seconds from the first bucket launch to the end of the last reduction in the last backward.</summary>
    public double LastCommSeconds { get; private set; }

    /// <summary>Runs the local model on this rank's shard and arms the gradient synchronisation for the next backward.</summary>
    public override Tensor Forward(Tensor input)
    {
        if (_expecting && _readyCount > 0)
        {
            var missing = Enumerable.Range(0, _params.Length).Where(i => !_ready[i]).Select(i => _names[i]);
            throw new InvalidOperationException(
                "DistributedDataParallel: the previous backward did not finish the gradient reduction; these parameters got no gradient: " +
                string.Join(", ", missing) + ". Every parameter must take part in the loss.");
        }
        Reset();
        _expecting = Training && Autograd.IsEnabled;
        // Like PyTorch's broadcast_buffers: rank 0's buffers (e.g. BatchNorm running statistics) before every forward.
        if (BroadcastBuffers && Group.WorldSize > 1)
            foreach (var (_, b) in Module.NamedBuffers()) Group.Broadcast(b, 0);
        return Module.Forward(input);
    }

    private void Reset()
    {
        Array.Clear(_ready);
        _readyCount = 0;
        _nextLaunch = 0;
        foreach (var b in _buckets)
        {
            b.Pending = b.Parameters.Count;
            b.Work = null;
        }
    }

    private void OnGradReady(int index)
    {
        if (!_expecting) return;
        if (_ready[index])
            throw new InvalidOperationException(
                $"DistributedDataParallel: parameter '{_names[index]}' received a gradient twice in one backward (used twice in forward, or backward called twice); " +
                "its bucket was already reduced. Use each parameter once per forward.");
        _ready[index] = true;
        _readyCount++;
        _buckets[_bucketOf[index]].Pending--;
        if (Overlap) LaunchReady();
        if (_readyCount == _params.Length) Finish();
    }

    /// <summary>Launches, in index order, every bucket whose gradients are all ready.</summary>
    private void LaunchReady()
    {
        while (_nextLaunch < _buckets.Length && _buckets[_nextLaunch].Pending == 0)
        {
            var b = _buckets[_nextLaunch++];
            if (b.Index == 0) _launchStart = Stopwatch.GetTimestamp();
            b.Pack();
            b.Work = b.Flat is null ? Group.AllReduceCoalescedAsync(b.Gradients(), AllReduceOp.Avg) : Group.AllReduceAsync(b.Flat, AllReduceOp.Avg);
        }
    }

    private void Finish()
    {
        if (!Overlap) LaunchReady();
        long waitStart = Stopwatch.GetTimestamp();
        foreach (var b in _buckets)
        {
            b.Work!.Wait();
            b.Unpack();
        }
        LastExposedCommSeconds = Stopwatch.GetElapsedTime(waitStart).TotalSeconds;
        LastCommSeconds = Stopwatch.GetElapsedTime(_launchStart).TotalSeconds;
        _expecting = false;
    }

    /// <summary>Removes the gradient hooks from the wrapped model's parameters (the model can be wrapped again).</summary>
    public void Dispose()
    {
        foreach (var h in _hooks) h.Dispose();
        _hooks.Clear();
        _expecting = false;
    }

    /// <inheritdoc/>
    public override string ToString() => $"DistributedDataParallel(world_size={Group.WorldSize}, buckets={_buckets.Length}, overlap={Overlap})";
}
