namespace Engine;

/// <summary>
/// A "static graph" in the style of TensorFlow 1.x: declare placeholders (fed on every run) and
/// variables (state the graph updates in place), trace one step written with ordinary eager tensor
/// code — forward, <see cref="Tensor.Backward"/>, the updates under NoGrad — once, then
/// <see cref="Run"/> it as often as needed with new feeds. Tracing records every backend call the
/// step makes as a flat list of <see cref="StaticGraphOp"/>s bound to preallocated buffers (each
/// allocation becomes a buffer of its own, zeroed on replay only when the next op does not overwrite
/// it), so a replay does no allocation, no autograd bookkeeping and no shape checks — and on a GPU the
/// list maps one to one onto a CUDA graph capture.
/// Like torch.jit.trace, control flow that depends on tensor values is frozen at trace time, and host
/// reads (Item, ToArray) inside the step are not replayed: read outputs after <see cref="Run"/>.
/// State kept outside the graph's variables (optimiser buffers, counters) is not reset after tracing.
/// </summary>
public sealed class StaticGraph : IDisposable
{
    [ThreadStatic] private static StaticGraph? _tracing;

    private readonly List<(string Name, Tensor Tensor)> _placeholders = new();
    private readonly List<(string Name, Tensor Tensor, Tensor Initial)> _variables = new();
    private readonly List<StaticGraphOp> _ops = new();
    private readonly Dictionary<Storage, Dictionary<string, Tensor>> _aliases = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<IBackend, StaticGraphBackend> _wrappers = new(ReferenceEqualityComparer.Instance);
    private Tensor[] _outputs = [];
    private bool _traced, _disposed;

    /// <summary>A graph whose placeholders and variables live on <paramref name="device"/> (CPU by default).</summary>
    public StaticGraph(Device? device = null) => Device = device ?? Device.Cpu;

    /// <summary>Where the graph's buffers live.</summary>
    public Device Device { get; }

    /// <summary>The recorded backend calls, in replay order (empty before <see cref="Trace(Func{Tensor[]})"/>).</summary>
    public IReadOnlyList<StaticGraphOp> Ops => _ops;

    /// <summary>Names of the placeholders, in declaration order.</summary>
    public IEnumerable<string> PlaceholderNames => _placeholders.Select(p => p.Name);

    /// <summary>Bytes held by the graph's preallocated intermediate buffers.</summary>
    public long BufferBytes => _aliases.Keys.Sum(s => s.Bytes);

    /// <summary>tf.placeholder: an input fed on every <see cref="Run"/> (zeros while tracing).</summary>
    public Tensor Placeholder(string name, int[] shape, DType dtype = DType.Float32)
    {
        CheckBuilding("Placeholder");
        CheckNewName(name);
        var t = Tensor.Zeros(shape, dtype, Device);
        t.Persistent = true;
        _placeholders.Add((name, t));
        return t;
    }

    /// <summary>tf.Variable: state initialised from <paramref name="initial"/> (copied) that the step may update in place.</summary>
    public Tensor Variable(string name, Tensor initial, bool requiresGrad = true)
    {
        CheckBuilding("Variable");
        CheckNewName(name);
        Tensor t;
        using (Tensor.NoGrad()) t = initial.To(Device, copy: true);
        var snapshot = t.Clone();
        t.RequiresGrad = requiresGrad && t.DType.IsFloat();
        t.Persistent = true;
        snapshot.Persistent = true;
        _variables.Add((name, t, snapshot));
        return t;
    }

    /// <summary>Traces one step that returns a single output (e.g. the loss).</summary>
    public void Trace(Func<Tensor> step) => Trace(() => new[] { step() });

    /// <summary>
    /// Runs <paramref name="step"/> once with every backend call recorded, keeps its outputs' buffers,
    /// then puts the variables back to their initial values (tracing has no lasting effect).
    /// </summary>
    public void Trace(Func<Tensor[]> step)
    {
        CheckBuilding("Trace");
        if (_tracing is not null) throw new InvalidOperationException("StaticGraph.Trace: another graph is being traced on this thread.");
        _tracing = this;
        try
        {
            using var scope = Tensor.Scope();
            var outs = step();
            _outputs = outs.Select(o => o.IsDisposed
                ? throw new InvalidOperationException($"StaticGraph.Trace: an output of shape {Tensor.ShapeString(o.Shape)} was disposed inside the step.")
                : Alias(o)).ToArray();
        }
        catch
        {
            // A failed trace leaves the graph as it was before Trace: no ops, no buffers.
            _ops.Clear();
            foreach (var byShape in _aliases.Values) foreach (var t in byShape.Values) t.Dispose();
            _aliases.Clear();
            throw;
        }
        finally
        {
            _tracing = null;
        }
        DropRedundantZeroing();
        _traced = true;
        ResetVariables();
    }

    /// <summary>Puts every variable back to its initial value (tf.global_variables_initializer).</summary>
    public void ResetVariables()
    {
        using (Tensor.NoGrad())
            foreach (var (_, t, init) in _variables) t.CopyFrom(init);
    }

    /// <summary>
    /// session.run: copies each feed into its placeholder (every placeholder must be fed), replays the
    /// recorded ops, and returns the outputs (graph-owned buffers, overwritten by the next run).
    /// </summary>
    public Tensor[] Run(params (string Name, Tensor Value)[] feeds)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(StaticGraph), "StaticGraph.Run: the graph was disposed.");
        if (!_traced) throw new InvalidOperationException("StaticGraph.Run: call Trace(step) first.");
        foreach (var (name, value) in feeds)
        {
            int i = _placeholders.FindIndex(p => p.Name == name);
            if (i < 0) throw new ArgumentException($"StaticGraph.Run: no placeholder named '{name}' (placeholders: {string.Join(", ", PlaceholderNames)}).");
            var ph = _placeholders[i].Tensor;
            if (!value.SameShape(ph) || value.DType != ph.DType)
                throw new ArgumentException($"StaticGraph.Run: feed '{name}' is {value.DType.Name()} {Tensor.ShapeString(value.Shape)} but the placeholder is {ph.DType.Name()} {Tensor.ShapeString(ph.Shape)}.");
        }
        var missing = _placeholders.Where(p => !feeds.Any(f => f.Name == p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0) throw new ArgumentException($"StaticGraph.Run: placeholder(s) {string.Join(", ", missing)} were not fed.");
        using (Tensor.NoGrad())
            foreach (var (name, value) in feeds) _placeholders.First(p => p.Name == name).Tensor.CopyFrom(value);
        foreach (var op in _ops) op.Run();
        return _outputs;
    }

    /// <summary>One line: how many ops of each kind.</summary>
    public string Summary() =>
        $"{_placeholders.Count} placeholders, {_variables.Count} variables, {_ops.Count} ops (" +
        string.Join(", ", _ops.GroupBy(o => o.Name).Select(g => g.Count() > 1 ? $"{g.Key}×{g.Count()}" : g.Key)) + ")";

    /// <summary>Frees the graph's buffers, placeholders and variables.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var byShape in _aliases.Values) foreach (var t in byShape.Values) t.Dispose();
        foreach (var (_, t) in _placeholders) t.Dispose();
        foreach (var (_, t, init) in _variables) { t.Dispose(); init.Dispose(); }
        _aliases.Clear();
        _ops.Clear();
    }

    // ---- tracing -----------------------------------------------------------------------------

    /// <summary>Called by <see cref="Device.Backend"/>: while this thread traces, backends come wrapped in a recorder.</summary>
    internal static IBackend Intercept(IBackend backend)
    {
        var g = _tracing;
        if (g is null) return backend;
        if (!g._wrappers.TryGetValue(backend, out var w)) g._wrappers[backend] = w = new StaticGraphBackend(g, backend);
        return w;
    }

    /// <summary>A graph-held tensor over t's storage with t's shape (keeps the memory alive for replays).</summary>
    internal Tensor Alias(Tensor t)
    {
        var storage = t.Storage;
        if (!_aliases.TryGetValue(storage, out var byShape)) _aliases[storage] = byShape = new();
        string key = Tensor.ShapeString(t.ShapeRef);
        if (!byShape.TryGetValue(key, out var alias))
        {
            storage.Retain();
            alias = new Tensor(storage, (int[])t.ShapeRef.Clone()) { Persistent = true };
            byShape[key] = alias;
        }
        return alias;
    }

    /// <summary>A graph-held flat tensor over a storage (for zero-filling fresh allocations).</summary>
    internal Tensor Alias(Storage storage)
    {
        if (!_aliases.TryGetValue(storage, out var byShape)) _aliases[storage] = byShape = new();
        string key = "flat";
        if (!byShape.TryGetValue(key, out var alias))
        {
            storage.Retain();
            alias = new Tensor(storage, [(int)storage.Length]) { Persistent = true };
            byShape[key] = alias;
        }
        return alias;
    }

    internal void Add(StaticGraphOp op) => _ops.Add(op);

    /// <summary>Drops the zero-fill of a fresh buffer when the next op touching it overwrites it without reading it (or nothing touches it).</summary>
    private void DropRedundantZeroing()
    {
        var keep = new List<StaticGraphOp>(_ops.Count);
        for (int i = 0; i < _ops.Count; i++)
        {
            var op = _ops[i];
            if (op.IsZeroInit)
            {
                var s = op.Writes[0];
                var next = _ops.Skip(i + 1).FirstOrDefault(o => o.Reads.Contains(s) || o.Writes.Contains(s));
                if (next is null || (next.Writes.Contains(s) && !next.Reads.Contains(s))) continue;
            }
            keep.Add(op);
        }
        _ops.Clear();
        _ops.AddRange(keep);
    }

    private void CheckBuilding(string what)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(StaticGraph), $"StaticGraph.{what}: the graph was disposed.");
        if (_traced) throw new InvalidOperationException($"StaticGraph.{what}: the graph is already traced; build a new graph to change it.");
    }

    private void CheckNewName(string name)
    {
        if (_placeholders.Any(p => p.Name == name) || _variables.Any(v => v.Name == name))
            throw new ArgumentException($"StaticGraph: the name '{name}' is already used.");
    }
}
