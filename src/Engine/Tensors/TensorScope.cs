namespace Engine;

/// <summary>
/// Disposes the tensors created while it is open (like tf.tidy). Scopes nest; <see cref="Keep"/>
/// lets a result escape to the enclosing scope. Thread-local: each thread has its own stack.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly TensorScope? _parent;
    private readonly List<Tensor> _tracked = new();
    private readonly HashSet<Tensor> _kept = new(ReferenceEqualityComparer.Instance);
    private bool _closed;

    internal TensorScope()
    {
        _parent = _current;
        _current = this;
    }

    internal static void Track(Tensor t)
    {
        var s = _current;
        if (s is null) return;
        lock (s._tracked) s._tracked.Add(t);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on this thread with new tensors tracked by <paramref name="scope"/> (a scope
    /// opened on another thread): DataParallel's worker threads hand their tensors to the caller's scope.
    /// </summary>
    internal static T RunTrackedBy<T>(TensorScope? scope, Func<T> body)
    {
        var saved = _current;
        _current = scope;
        try { return body(); }
        finally { _current = saved; }
    }

    /// <summary>The scope open on this thread, or null.</summary>
    internal static TensorScope? Current => _current;

    /// <summary>Lets <paramref name="t"/> outlive this scope (it moves to the enclosing scope, if any).</summary>
    public T Keep<T>(T t) where T : class
    {
        if (t is Tensor tensor) _kept.Add(tensor);
        else if (t is IEnumerable<Tensor> many) foreach (var x in many) _kept.Add(x);
        return t;
    }

    /// <summary>Disposes every tracked tensor that was not kept.</summary>
    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        if (_current != this)
            throw new InvalidOperationException("Tensor scopes must be closed in the reverse order they were opened.");
        _current = _parent;
        foreach (var t in _tracked)
        {
            if (_kept.Contains(t) || t.Persistent) _parent?._tracked.Add(t);
            else t.Dispose();
        }
    }
}
