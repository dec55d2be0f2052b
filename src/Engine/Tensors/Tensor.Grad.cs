namespace Engine;

public sealed partial class Tensor
{
    private bool _requiresGrad;

    /// <summary>
    /// Whether gradients flow to this tensor. Set it on leaves (weights); results of ops on such
    /// tensors require grad automatically.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            CheckAlive("RequiresGrad");
            if (GradFn is not null && !value)
                throw new InvalidOperationException("RequiresGrad: only leaf tensors can be changed; use Detach() to cut a result from the graph.");
            if (value && !DType.IsFloat())
                throw new InvalidOperationException($"RequiresGrad: only float tensors can require gradients; this one is {DType.Name()}.");
            _requiresGrad = value;
        }
    }

    /// <summary>Gradient accumulated by <see cref="Backward"/> (leaves only), or null.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that made this tensor (null for leaves and outside autograd).</summary>
    public Node? GradFn { get; internal set; }

    /// <summary>True for tensors not made by a recorded op.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// Computes gradients of this tensor with respect to every leaf that requires grad (accumulating into Grad).
    /// The graph is released afterwards; a second Backward through it throws unless the first passed
    /// <paramref name="retainGraph"/> true (torch's retain_graph).
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Autograd.Backward(this, gradient, retainGraph);

    /// <summary>Disposes and clears <see cref="Grad"/>.</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>The same data, cut from the graph (shares storage).</summary>
    public Tensor Detach()
    {
        CheckAlive("Detach");
        Storage.Retain();
        return new Tensor(Storage, (int[])_shape.Clone());
    }

    /// <summary>Sets RequiresGrad and returns this tensor (like requires_grad_()).</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    private List<Action<Tensor>>? _postAccumulateGradHooks;

    /// <summary>
    /// Calls <paramref name="hook"/>(this) each time <see cref="Backward"/> has added a gradient into
    /// this leaf's <see cref="Grad"/> (torch's register_post_accumulate_grad_hook; DistributedDataParallel
    /// starts its all-reduce from here). Dispose the result to remove the hook.
    /// </summary>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!IsLeaf) throw new InvalidOperationException("RegisterPostAccumulateGradHook: only leaf tensors accumulate gradients.");
        lock (this) (_postAccumulateGradHooks ??= new()).Add(hook);
        return new HookHandle(this, hook);
    }

    internal void RunPostAccumulateGradHooks()
    {
        Action<Tensor>[]? hooks;
        lock (this) hooks = _postAccumulateGradHooks?.ToArray();
        if (hooks is null) return;
        foreach (var h in hooks) h(this);
    }

    private sealed class HookHandle(Tensor owner, Action<Tensor> hook) : IDisposable
    {
        public void Dispose()
        {
            lock (owner) owner._postAccumulateGradHooks?.Remove(hook);
        }
    }

    /// <summary>Turns autograd off until the returned scope is disposed (torch.no_grad()).</summary>
    public static IDisposable NoGrad() => Autograd.Disable();
}
