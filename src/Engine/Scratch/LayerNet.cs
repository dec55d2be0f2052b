namespace Engine.Scratch;

/// <summary>
/// What DLfS's TwoLayerNet and MultiLayerNet share: parameters by name (<see cref="Params"/>:
/// W1 b1 W2 b2 …), the ordered <see cref="Layers"/> (Affine1 Relu1 Affine2 …), the
/// <see cref="LastLayer"/> (SoftmaxWithLoss), and predict / loss / accuracy / gradients, both by
/// central differences (<see cref="NumericalGradient"/>) and by backpropagation (<see cref="Gradient"/>).
/// The k-th Affine or Convolution layer owns the parameters "W{k}" and "b{k}".
/// </summary>
public abstract class LayerNet
{
    /// <summary>Step of the central difference in <see cref="NumericalGradient"/> (DLfS h = 1e-4).</summary>
    public const double NumericalStep = 1e-4;

    /// <summary>Parameters by name, in order (DLfS <c>params</c>). The tensors are the ones the layers use.</summary>
    public OrderedDictionary<string, Tensor> Params { get; } = new();

    /// <summary>Layers by name in forward order (DLfS's OrderedDict <c>layers</c>).</summary>
    public OrderedDictionary<string, ILayer> Layers { get; } = new();

    /// <summary>Softmax-with-loss on top of the last layer (DLfS <c>lastLayer</c>).</summary>
    public SoftmaxWithLoss LastLayer { get; } = new();

    /// <summary>Number of inputs per sample (the first Affine's fan-in).</summary>
    public int InputSize { get; protected init; }

    /// <summary>Element type of the parameters.</summary>
    public DType DType { get; protected init; }

    /// <summary>Registers a parameter (kept alive across tensor scopes).</summary>
    protected Tensor AddParam(string name, Tensor t)
    {
        t.Persistent = true;
        Params.Add(name, t);
        return t;
    }

    /// <summary>Scores [N, outputSize] from x [N, inputSize] (or [N, …]) through every layer in order.</summary>
    public Tensor Predict(Tensor x)
    {
        var h = x;
        foreach (var layer in Layers.Values) h = layer.Forward(h);
        return h;
    }

    /// <summary>The loss as a 0-d tensor: LastLayer(Predict(x), t) (MultiLayerNet adds weight decay).</summary>
    public virtual Tensor LossTensor(Tensor x, Tensor t)
    {
        var y = Predict(x);
        var loss = LastLayer.Forward(y, t);
        if (!ReferenceEquals(y, x)) y.Dispose();
        return loss;
    }

    /// <summary>The loss (mean cross-entropy, plus weight decay where the net has it) for x and targets t.</summary>
    public double Loss(Tensor x, Tensor t)
    {
        using var scope = Tensor.Scope();
        return LossTensor(x, t).Item();
    }

    /// <summary>Fraction of rows whose arg-max score equals the label (t one-hot [N, C] or labels [N]).</summary>
    public double Accuracy(Tensor x, Tensor t, int batchSize = 10_000)
    {
        int n = x.Dim(0);
        if (n == 0) throw new ArgumentException("Accuracy: x has no rows.");
        if (t.Dim(0) != n)
            throw new ArgumentException($"Accuracy: x has {n} rows but t has shape {Tensor.ShapeString(t.Shape)}.");
        int correct = 0;
        for (int start = 0; start < n; start += batchSize)
        {
            using var scope = Tensor.Scope();
            int count = Math.Min(batchSize, n - start);
            var xb = count == n ? x : x.Rows(start, count);
            var tb = count == n ? t : t.Rows(start, count);
            var predicted = Predict(xb).ArgMax(1).ToArray<int>();
            int[] labels = tb.Rank == 2 ? tb.ArgMax(1).ToArray<int>()
                : tb.DType == DType.Int64 ? tb.ToArray<long>().Select(v => (int)v).ToArray()
                : tb.DType == DType.Int32 ? tb.ToArray<int>()
                : tb.ToDoubleArray().Select(v => (int)v).ToArray();
            for (int i = 0; i < count; i++) if (predicted[i] == labels[i]) correct++;
        }
        return (double)correct / n;
    }

    /// <summary>
    /// dLoss/dparam for every parameter by central differences, (L(p+h) − L(p−h)) / 2h with h = 1e-4,
    /// one element at a time (DLfS <c>numerical_gradient</c>). Slow; for checking <see cref="Gradient"/>.
    /// Parameters must be on the CPU (use float64 for a meaningful check).
    /// </summary>
    public OrderedDictionary<string, Tensor> NumericalGradient(Tensor x, Tensor t)
    {
        var grads = new OrderedDictionary<string, Tensor>();
        foreach (var (name, p) in Params)
        {
            if (p.Device != Device.Cpu)
                throw new InvalidOperationException($"NumericalGradient: parameter '{name}' is on {p.Device}; numerical gradients run on CPU parameters.");
            var g = new double[p.Size];
            for (int i = 0; i < g.Length; i++)
            {
                double tmp = Get(p, i);
                Set(p, i, tmp + NumericalStep);
                double fxh1 = Loss(x, t);
                Set(p, i, tmp - NumericalStep);
                double fxh2 = Loss(x, t);
                Set(p, i, tmp);
                g[i] = (fxh1 - fxh2) / (2 * NumericalStep);
            }
            grads.Add(name, Tensor.FromDoubles(g, p.Shape, p.DType, p.Device));
        }
        return grads;
    }

    private static double Get(Tensor p, int i) => p.DType == DType.Float64 ? p.Span<double>()[i] : p.Span<float>()[i];

    private static void Set(Tensor p, int i, double v)
    {
        if (p.DType == DType.Float64) p.Span<double>()[i] = v;
        else p.Span<float>()[i] = (float)v;
    }

    /// <summary>
    /// dLoss/dparam for every parameter by backpropagation: forward (caching), LastLayer.Backward(1),
    /// then each layer's Backward in reverse order; "W{k}"/"b{k}" ← the k-th Affine or Convolution's DW/DB (+ <see cref="WeightDecayGradient"/>).
    /// The first layer's dx would be dLoss/dx for the input, which nothing reads: that layer takes
    /// <see cref="ILayer.BackwardParams"/> (its parameter gradients only), as PyTorch skips an input without requires_grad.
    /// </summary>
    public OrderedDictionary<string, Tensor> Gradient(Tensor x, Tensor t)
    {
        LossTensor(x, t);
        var dout = LastLayer.Backward(1);
        for (int i = Layers.Count - 1; i > 0; i--)
        {
            var next = Layers.GetAt(i).Value.Backward(dout);
            dout.Dispose();
            dout = next;
        }
        if (Layers.Count > 0) Layers.GetAt(0).Value.BackwardParams(dout);
        dout.Dispose();
        var grads = new OrderedDictionary<string, Tensor>();
        int k = 0;
        foreach (var layer in Layers.Values)
        {
            var (w, dW, dB) = layer switch
            {
                Affine a => (a.W, a.DW, a.DB),
                Convolution c => (c.W, c.DW, c.DB),
                _ => (null, null, null),
            };
            if (w is null) continue;
            k++;
            grads.Add($"W{k}", WeightDecayGradient(w, dW!));
            grads.Add($"b{k}", dB!);
        }
        return grads;
    }

    /// <summary>The weight gradient as the net reports it (DLfS adds λ·W for weight decay); dW itself by default.</summary>
    protected virtual Tensor WeightDecayGradient(Tensor w, Tensor dW) => dW;
}
