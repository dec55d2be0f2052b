namespace Engine.Nn;

/// <summary>
/// Base of every layer and model, like torch.nn.Module: named parameters (tensors that require
/// grad), buffers (state without grad, e.g. running means) and child modules, all in
/// registration order; Train/Eval mode; <see cref="To"/> moves everything to a device in place.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = new();
    private readonly List<(string Name, Tensor Tensor)> _buffers = new();
    private readonly List<(string Name, Module Module)> _modules = new();

    /// <summary>The computation: input → output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>True in training mode (Dropout drops, BatchNorm uses batch statistics).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a learnable tensor under <paramref name="name"/>; it gets RequiresGrad.</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        tensor.RequiresGrad = true;
        tensor.Persistent = true;
        _parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a state tensor that is saved and moved but not trained.</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        tensor.Persistent = true;
        _buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        _modules.Add((name, module));
        return module;
    }

    /// <summary>Direct children, in order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules;

    /// <summary>All parameters of this module and its children, named like "0.weight".</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (n, t) in _parameters) yield return (prefix + n, t);
        foreach (var (n, m) in _modules)
            foreach (var p in m.NamedParameters(prefix + n + ".")) yield return p;
    }

    /// <summary>All parameters, in order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>All buffers of this module and its children, named like parameters.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, t) in _buffers) yield return (prefix + n, t);
        foreach (var (n, m) in _modules)
            foreach (var b in m.NamedBuffers(prefix + n + ".")) yield return b;
    }

    /// <summary>Sets training mode here and in every child.</summary>
    public Module Train(bool on = true)
    {
        Training = on;
        foreach (var (_, m) in _modules) m.Train(on);
        return this;
    }

    /// <summary>Evaluation mode (Train(false)).</summary>
    public Module Eval() => Train(false);

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>, keeping the same tensor objects.</summary>
    public Module To(Device device)
    {
        foreach (var (_, t) in NamedParameters()) t.MoveTo(device);
        foreach (var (_, t) in NamedBuffers()) t.MoveTo(device);
        return this;
    }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Number of scalar parameters.</summary>
    public long ParameterCount => Parameters().Sum(p => p.Size);
}
