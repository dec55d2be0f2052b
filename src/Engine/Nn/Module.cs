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

    /// <summary>
    /// Every parameter and buffer by dotted name ("0.weight", "bn.running_mean"), module by module:
    /// own parameters, own buffers, then children (torch's state_dict order). The values are the live
    /// tensors (no copy); save them or copy them before training further.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor>();
        CollectState(d, "");
        return d;
    }

    private void CollectState(OrderedDictionary<string, Tensor> d, string prefix)
    {
        foreach (var (n, t) in _parameters) d[prefix + n] = t;
        foreach (var (n, t) in _buffers) d[prefix + n] = t;
        foreach (var (n, m) in _modules) m.CollectState(d, prefix + n + ".");
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers (any device; same shapes and dtypes).
    /// With <paramref name="strict"/> every key must match: missing and unexpected keys are an error.
    /// </summary>
    public void LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> state, bool strict = true)
    {
        var mine = StateDict();
        var given = state.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, t) in given)
            t.CheckAlive($"LoadStateDict for {GetType().Name}: \"{name}\"");
        if (strict)
        {
            var missing = mine.Keys.Where(k => !given.ContainsKey(k)).ToList();
            var unexpected = given.Keys.Where(k => !mine.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"LoadStateDict for {GetType().Name}: missing keys [{string.Join(", ", missing)}], unexpected keys [{string.Join(", ", unexpected)}].");
        }
        foreach (var (name, target) in mine)
        {
            if (!given.TryGetValue(name, out var src)) continue;
            if (!src.SameShape(target))
                throw new ArgumentException($"LoadStateDict for {GetType().Name}: \"{name}\" has shape {Tensor.ShapeString(src.Shape)} in the state but {Tensor.ShapeString(target.Shape)} in the module.");
            if (src.DType != target.DType)
                throw new ArgumentException($"LoadStateDict for {GetType().Name}: \"{name}\" is {src.DType.Name()} in the state but {target.DType.Name()} in the module.");
        }
        using (Tensor.NoGrad())
            foreach (var (name, target) in mine)
                if (given.TryGetValue(name, out var src)) target.CopyFrom(src);
    }

    /// <summary>Writes <see cref="StateDict"/> to a safetensors file, atomically.</summary>
    public void Save(string path) => IO.SafeTensors.Save(path, StateDict());

    /// <summary>Loads a safetensors file written by <see cref="Save"/> (strict key matching); returns this module.</summary>
    public Module Load(string path, bool strict = true)
    {
        var state = IO.SafeTensors.Load(path);
        try { LoadStateDict(state, strict); }
        catch (ArgumentException ex) { throw new ArgumentException($"{GetType().Name}.Load: {path}: {ex.Message}", ex); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        return this;
    }

    /// <summary>The module tree in PyTorch's print format.</summary>
    public override string ToString()
    {
        if (_modules.Count == 0) return GetType().Name + "()";
        var sb = new System.Text.StringBuilder(GetType().Name + "(\n");
        foreach (var (n, m) in _modules)
            sb.Append("  (").Append(n).Append("): ").Append(m.ToString()!.Replace("\n", "\n  ")).Append('\n');
        return sb.Append(')').ToString();
    }
}
