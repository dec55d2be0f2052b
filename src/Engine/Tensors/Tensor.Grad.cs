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

    /// <summary>Computes gradients of this tensor with respect to every leaf that requires grad (accumulating into Grad).</summary>
    public void Backward(Tensor? gradient = null) => Autograd.Backward(this, gradient);

    /// <summary>Disposes and clears <see cref="Grad"/>.</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>The same data, cut from the graph (shares storage).</summary>
    public Tensor Detach()
    {
        Storage.Retain();
        return new Tensor(Storage, (int[])_shape.Clone());
    }

    /// <summary>Sets RequiresGrad and returns this tensor (like requires_grad_()).</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>Turns autograd off until the returned scope is disposed (torch.no_grad()).</summary>
    public static IDisposable NoGrad() => Autograd.Disable();
}
