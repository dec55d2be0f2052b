namespace Engine.Optim;

/// <summary>
/// Base of the optimisers, written once for both training styles the book teaches:
/// <list type="bullet">
/// <item>DLfS: <c>optimizer.Update(net.Params, grads)</c> — parameters and gradients by name, state keyed by name;</item>
/// <item>PyTorch: <c>new Adam(model.Parameters(), lr)</c>, then <c>loss.Backward(); optimizer.Step(); optimizer.ZeroGrad();</c>
/// — state keyed by the parameter tensor, gradients read from <c>p.Grad</c> (parameters without one are skipped).</item>
/// </list>
/// Every update is one fused backend op (SgdUpdate, MomentumUpdate, …) applied in place under
/// <see cref="Tensor.NoGrad"/>, so it runs on whatever device the parameter lives on.
/// <see cref="LearningRate"/> may be changed between steps (learning-rate schedules).
/// </summary>
public abstract partial class Optimizer
{
    private readonly Dictionary<string, OptimizerState> _byName = new();
    private readonly Dictionary<Tensor, OptimizerState> _byTensor = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _parameters;
    private double _learningRate;

    /// <summary>Sets the learning rate and, for <see cref="Step"/>, the parameters.</summary>
    protected Optimizer(double learningRate, IEnumerable<Tensor>? parameters)
    {
        LearningRate = learningRate;
        _parameters = parameters?.ToList() ?? new List<Tensor>();
        for (int i = 0; i < _parameters.Count; i++)
            if (_parameters[i].IsDisposed)
                throw new ObjectDisposedException(nameof(Tensor), $"{Name}: parameter #{i} was disposed.");
            else if (!_parameters[i].DType.IsFloat())
                throw new ArgumentException($"{Name}: parameter #{i} has dtype {_parameters[i].DType.Name()}; only float tensors can be optimised.");
    }

    /// <summary>Step size; schedulers change it between steps.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = value >= 0 && !double.IsInfinity(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: the learning rate must be a finite number ≥ 0, got {value}.");
    }

    /// <summary>The parameters given to the constructor (what <see cref="Step"/> and <see cref="ZeroGrad"/> walk).</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The class name, for messages.</summary>
    protected string Name => GetType().Name;

    /// <summary>
    /// DLfS's <c>update(params, grads)</c>: for every name in <paramref name="parameters"/>, updates the
    /// tensor in place with <c>grads[name]</c>; state is kept per name.
    /// </summary>
    public void Update(IDictionary<string, Tensor> parameters, IDictionary<string, Tensor> grads)
    {
        using (Tensor.NoGrad())
        {
            foreach (var (name, p) in parameters)
            {
                if (!grads.TryGetValue(name, out var g))
                    throw new ArgumentException($"{Name}.Update: no gradient for parameter '{name}'; grads has [{string.Join(", ", grads.Keys)}].");
                Check(name, p, g);
                if (!_byName.TryGetValue(name, out var state)) _byName[name] = state = new OptimizerState();
                state.Step++;
                p.Storage.Written();
                ApplyUpdate(p, g, state);
            }
        }
    }

    /// <summary>PyTorch's <c>step()</c>: updates every constructor parameter that has a <c>Grad</c>, in place.</summary>
    public void Step()
    {
        if (_parameters.Count == 0)
            throw new InvalidOperationException($"{Name}.Step: this optimiser was built without parameters; pass them to the constructor (e.g. model.Parameters()) or use Update(params, grads).");
        using (Tensor.NoGrad())
        {
            for (int i = 0; i < _parameters.Count; i++)
            {
                var p = _parameters[i];
                if (p.Grad is not { } g) continue;
                Check($"#{i}", p, g);
                if (!_byTensor.TryGetValue(p, out var state)) _byTensor[p] = state = new OptimizerState();
                state.Step++;
                p.Storage.Written();
                Apply(p, g, state);
            }
        }
    }

    /// <summary>Clears the gradients of the constructor parameters (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>The state kept for a parameter name (Update) or tensor (Step); null before its first update.</summary>
    public OptimizerState? StateOf(string name) => _byName.GetValueOrDefault(name);

    /// <inheritdoc cref="StateOf(string)"/>
    public OptimizerState? StateOf(Tensor parameter) => _byTensor.GetValueOrDefault(parameter);

    /// <summary>The state kept for a parameter name, created empty on first use (for updates written outside <see cref="Update"/>).</summary>
    internal OptimizerState StateFor(string name)
    {
        if (!_byName.TryGetValue(name, out var state)) _byName[name] = state = new OptimizerState();
        return state;
    }

    /// <summary>One in-place update of <paramref name="param"/> from <paramref name="grad"/> (same shape, dtype and device; checked).</summary>
    protected abstract void Apply(Tensor param, Tensor grad, OptimizerState state);

    /// <summary>The update of <see cref="Update"/> (DLfS's formula); the same as <see cref="Apply"/> unless DLfS writes it differently.</summary>
    protected virtual void ApplyUpdate(Tensor param, Tensor grad, OptimizerState state) => Apply(param, grad, state);

    private void Check(string name, Tensor p, Tensor g)
    {
        if (p.IsDisposed || g.IsDisposed)
            throw new ObjectDisposedException(nameof(Tensor), $"{Name}: parameter '{name}'{(p.IsDisposed ? "" : "'s gradient")} was disposed; keep parameters and gradients alive until the update.");
        if (!p.SameShape(g))
            throw new ArgumentException($"{Name}: the gradient of parameter '{name}' has shape {Tensor.ShapeString(g.Shape)} but the parameter has {Tensor.ShapeString(p.Shape)}.");
        if (p.DType != g.DType)
            throw new InvalidOperationException($"{Name}: the gradient of parameter '{name}' is {g.DType.Name()} but the parameter is {p.DType.Name()}.");
        if (p.Device != g.Device)
            throw new InvalidOperationException($"{Name}: the gradient of parameter '{name}' is on {g.Device} but the parameter is on {p.Device}.");
        if (!p.DType.IsFloat())
            throw new InvalidOperationException($"{Name}: parameter '{name}' has dtype {p.DType.Name()}; only float tensors can be optimised.");
    }
}
