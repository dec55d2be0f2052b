namespace Engine;

/// <summary>
/// Reverse-mode automatic differentiation, small enough to read in one sitting (micrograd's shape):
/// every op on tensors that require gradients records a <see cref="Node"/>; <see cref="Backward"/>
/// visits the nodes in reverse topological order and adds each input's gradient into
/// <see cref="Tensor.Grad"/> of the leaves.
/// </summary>
public static class Autograd
{
    [ThreadStatic] private static int _noGradDepth;

    /// <summary>False inside a <see cref="Tensor.NoGrad"/> scope.</summary>
    public static bool IsEnabled => _noGradDepth == 0;

    internal static IDisposable Disable() => new NoGradScope();

    private sealed class NoGradScope : IDisposable
    {
        private bool _done;
        public NoGradScope() => _noGradDepth++;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _noGradDepth--;
        }
    }

    /// <summary>
    /// Whether an op on <paramref name="inputs"/> is recorded: gradients are on and an input needs one. <see cref="Record"/>
    /// tests it; hot ops ask first, so that one not recorded builds no backward closure.
    /// </summary>
    internal static bool Records(params ReadOnlySpan<Tensor> inputs)
    {
        if (!IsEnabled) return false;
        foreach (var x in inputs)
            if (x.RequiresGrad) return true;
        return false;
    }

    /// <summary>When set, called after each node's backward with the node's op name and its seconds (the benchmarks' profiles).</summary>
    internal static Action<string, double>? BackwardTimer { get; set; }

    /// <summary>
    /// Marks <paramref name="result"/> as made by op <paramref name="name"/> from <paramref name="inputs"/>
    /// when gradients are on and any input needs one; returns <paramref name="result"/>.
    /// </summary>
    public static Tensor Record(Tensor result, string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (Records(inputs)) result.GradFn = new Node(name, inputs, backward);
        return result;
    }

    /// <summary>
    /// Runs the chain rule from <paramref name="root"/> with seed gradient <paramref name="gradient"/>. Without
    /// <paramref name="retainGraph"/> every node passed is marked released, and a later pass through one of them throws.
    /// </summary>
    public static void Backward(Tensor root, Tensor? gradient, bool retainGraph = false)
    {
        root.CheckAlive("Backward");
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward: this tensor does not require grad and has no grad_fn; set RequiresGrad = true on the leaves you want gradients for.");
        if (gradient is null && root.Size != 1)
            throw new InvalidOperationException($"Backward: grad can be implicitly created only for scalar outputs; this output (made by {root.GradFn?.Name ?? "a leaf"}) has shape {Tensor.ShapeString(root.ShapeRef)}. Pass a gradient of that shape.");
        if (gradient is not null && !gradient.ShapeRef.AsSpan().SequenceEqual(root.ShapeRef))
            throw new ArgumentException($"Backward: the gradient has shape {Tensor.ShapeString(gradient.ShapeRef)} but the output has shape {Tensor.ShapeString(root.ShapeRef)}.");
        if (gradient is not null && (gradient.DType != root.DType || gradient.Device != root.Device))
            throw new ArgumentException($"Backward: the gradient is {gradient.DType.Name()} on {gradient.Device} but the output (shape {Tensor.ShapeString(root.ShapeRef)}) is {root.DType.Name()} on {root.Device}.");

        var order = TopologicalOrder(root);
        foreach (var t in order)
            if (t.GradFn!.Released)
                throw new InvalidOperationException($"Backward: trying to backward through the graph a second time (through {t.GradFn}, output {Tensor.ShapeString(t.ShapeRef)}); its saved values were released by the first Backward(). Pass retainGraph: true to the first Backward() if you need to backward through the graph a second time.");
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using var _ = Disable();

        void Put(Tensor target, Tensor g)
        {
            if (!g.ShapeRef.AsSpan().SequenceEqual(target.ShapeRef))
                throw new InvalidOperationException($"Backward: a gradient of shape {Tensor.ShapeString(g.ShapeRef)} reached a tensor of shape {Tensor.ShapeString(target.ShapeRef)} (from {target.GradFn?.ToString() ?? "a leaf"}).");
            if (!owned.Add(g)) { g = g.Clone(); owned.Add(g); }
            if (target.GradFn is null)
            {
                if (target.Grad is null)
                {
                    g.Persistent = true;
                    target.Grad = g;
                }
                else
                {
                    target.Grad.AddInPlace(g);
                    g.Dispose();
                }
                target.RunPostAccumulateGradHooks();
            }
            else if (grads.Remove(target, out var old))
            {
                old.AddInPlace(g);
                g.Dispose();
                grads[target] = old;
            }
            else grads[target] = g;
        }

        Put(root, gradient ?? Tensor.OnesLike(root));
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            var node = t.GradFn!;
            Tensor?[] inputGrads;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try { inputGrads = node.Backward(g); }
            catch (ObjectDisposedException ex)
            {
                throw new ObjectDisposedException($"Backward through {node} (inputs {string.Join(", ", node.Inputs.Select(x => Tensor.ShapeString(x.ShapeRef)))}, output {Tensor.ShapeString(t.ShapeRef)}): a tensor it needs was disposed before the backward pass; keep the graph's tensors alive until Backward() has run.", ex);
            }
            BackwardTimer?.Invoke(node.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            for (int k = 0; k < node.Inputs.Length; k++)
            {
                var input = node.Inputs[k];
                if (input.RequiresGrad && inputGrads[k] is Tensor ig) Put(input, ig);
            }
            g.Dispose();
        }
        if (!retainGraph)
            foreach (var t in order) t.GradFn!.Released = true;
    }

    /// <summary>Non-leaf tensors reachable from root, inputs before the ops that use them.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (t, expanded) = stack.Pop();
            if (expanded) { order.Add(t); continue; }
            if (t.GradFn is null || !seen.Add(t)) continue;
            stack.Push((t, true));
            foreach (var input in t.GradFn.Inputs) stack.Push((input, false));
        }
        return order;
    }
}
