namespace Engine.Optim;

public abstract partial class Optimizer
{
    /// <summary>
    /// TensorFlow.js's <c>optimizer.minimize(f, returnCost, varList)</c>: evaluates the scalar cost
    /// <paramref name="f"/>, computes its gradients and takes one step on each trainable variable of
    /// <paramref name="varList"/> (by default every trainable persistent leaf the cost depends on:
    /// variables and layer weights). Temporaries are freed; returns the cost (a new scalar tensor) when
    /// <paramref name="returnCost"/>, else null. Optimiser state is kept per variable across calls.
    /// </summary>
    public Tensor? Minimize(Func<Tensor> f, bool returnCost = false, IEnumerable<Variable>? varList = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var given = varList?.Select(v => v.Value).ToList();
        Tensor? result = null;
        using (var scope = Tensor.Scope())
        {
            if (given is not null) foreach (var v in given) v.ZeroGrad();
            var cost = f();
            if (cost.Size != 1 || !cost.DType.IsFloat())
                throw new ArgumentException($"{Name}.Minimize: f must return a float scalar, got {cost.DType.Name()} of shape {Tensor.ShapeString(cost.Shape)}.");
            var targets = given ?? Leaves(cost);
            foreach (var v in targets) v.ZeroGrad();
            if (!cost.RequiresGrad)
                throw new InvalidOperationException($"{Name}.Minimize: the cost does not depend on any trainable variable.");
            cost.Backward();
            using (Tensor.NoGrad())
                foreach (var p in targets)
                {
                    if (!p.RequiresGrad || p.Grad is not { } g) continue;
                    Check("variable", p, g);
                    if (!_byTensor.TryGetValue(p, out var state)) _byTensor[p] = state = new OptimizerState();
                    state.Step++;
                    Apply(p, g, state);
                    p.ZeroGrad();
                }
            if (returnCost) result = scope.Keep(cost.Detach());
        }
        return result;
    }

    /// <summary>The persistent leaves that require grad reachable from <paramref name="cost"/>'s graph.</summary>
    private static List<Tensor> Leaves(Tensor cost)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var leaves = new List<Tensor>();
        var stack = new Stack<Tensor>();
        stack.Push(cost);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!seen.Add(t)) continue;
            if (t.GradFn is { } node) foreach (var i in node.Inputs) stack.Push(i);
            else if (t.RequiresGrad && t.Persistent) leaves.Add(t);
        }
        return leaves;
    }
}
