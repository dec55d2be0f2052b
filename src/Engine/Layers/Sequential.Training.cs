using Engine.Optim;

namespace Engine.Layers;

public sealed partial class Sequential
{
    private Optimizer? _optimizer;
    private string? _lossName;
    private Func<Tensor, Tensor, Tensor>? _customLoss;
    private string? _accuracyKind;

    /// <summary>The optimiser set by Compile.</summary>
    public Optimizer? Optimizer => _optimizer;

    /// <summary>The loss name set by Compile (null for a custom loss function).</summary>
    public string? Loss => _lossName;

    /// <summary>Set by a callback to end Fit after the current epoch (Keras's model.stop_training).</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// Chooses the optimiser by name with Keras's defaults — "sgd" (lr 0.01), "adam" (lr 0.001, β1 0.9,
    /// β2 0.999, ε 1e-7), "rmsprop" (lr 0.001, ρ 0.9, ε 1e-7) — the loss by name (<see cref="Losses"/>), and
    /// metrics (only "accuracy"/"acc": categorical, sparse or binary accuracy, picked from the loss as Keras does).
    /// </summary>
    public void Compile(string optimizer, string loss, string[]? metrics = null) => Compile(OptimizerByName(optimizer), loss, metrics);

    /// <summary>Compile with an optimiser object (e.g. <c>new Adam(lr: 0.01)</c>) and a loss name.</summary>
    public void Compile(Optimizer optimizer, string loss, string[]? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        _lossName = Losses.Canonical(loss);
        _customLoss = null;
        _optimizer = optimizer;
        _accuracyKind = AccuracyKind(metrics);
    }

    /// <summary>Compile with a loss function (yTrue, yPred) → scalar tensor.</summary>
    public void Compile(Optimizer optimizer, Func<Tensor, Tensor, Tensor> loss, string[]? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        _customLoss = loss ?? throw new ArgumentNullException(nameof(loss));
        _lossName = null;
        _optimizer = optimizer;
        _accuracyKind = AccuracyKind(metrics);
    }

    /// <summary>An optimiser by Keras name with Keras's default hyper-parameters.</summary>
    public static Optimizer OptimizerByName(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(lr: 0.01),
        "adam" => new Adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-7),
        "rmsprop" => new RmsProp(lr: 0.001, decayRate: 0.9, eps: 1e-7),
        _ => throw new ArgumentException($"Compile: unknown optimizer '{name}'; expected sgd, adam or rmsprop (or pass an Optimizer object)."),
    };

    private string? AccuracyKind(string[]? metrics)
    {
        string? kind = null;
        foreach (var m in metrics ?? [])
        {
            if (m.ToLowerInvariant() is not ("accuracy" or "acc"))
                throw new ArgumentException($"Compile: unknown metric '{m}'; the metric supported is \"accuracy\".");
            kind = _lossName switch
            {
                Losses.SparseCategoricalCrossentropy => "sparse",
                Losses.BinaryCrossentropy => "binary",
                _ => OutputShape is { } o && o[^1] == 1 ? "binary" : "categorical",
            };
        }
        return kind;
    }

    private bool FusedSoftmax => EndsInSoftmax && _lossName is Losses.CategoricalCrossentropy or Losses.SparseCategoricalCrossentropy;

    /// <summary>The compiled loss of a batch (on the scores before the final softmax when fused) and the output used for accuracy.</summary>
    internal (Tensor Loss, Tensor Output) LossOf(Tensor x, Tensor y, bool training)
    {
        if (_optimizer is null) throw new InvalidOperationException($"{Name}: call Compile(optimizer, loss) before Fit or Evaluate.");
        var output = Forward(x, training, skipFinalSoftmax: FusedSoftmax);
        var loss = _customLoss is not null ? _customLoss(y, output)
            : FusedSoftmax ? Losses.FromLogits(y, output)
            : Losses.Compute(_lossName!, y, output);
        if (loss.Size != 1) throw new InvalidOperationException($"{Name}: the loss must be a scalar, got shape {Tensor.ShapeString(loss.Shape)}.");
        return (loss, output);
    }

    /// <summary>
    /// One optimiser step on a batch already on the model's device: forward (training mode), loss,
    /// backward, update of every trainable weight (keyed by its full name). Returns (loss, correct predictions).
    /// </summary>
    public (double Loss, int Correct) TrainOnBatch(Tensor x, Tensor y)
    {
        using var scope = Tensor.Scope();
        SyncRequiresGrad();
        var (loss, output) = LossOf(x, y, training: true);
        foreach (var w in Weights) w.Value.ZeroGrad();
        loss.Backward();
        if (_optimizer is Adam adam) KerasAdamUpdate(adam);
        else
        {
            var ps = new Dictionary<string, Tensor>();
            var gs = new Dictionary<string, Tensor>();
            foreach (var w in TrainableWeights)
            {
                if (w.Value.Grad is not { } g) continue;
                ps[w.FullName] = w.Value;
                gs[w.FullName] = g;
            }
            _optimizer!.Update(ps, gs);
        }
        return (loss.Item(), Correct(output, y));
    }

    /// <summary>
    /// Keras's Adam on every trainable weight with a gradient, state keyed by the weight's full name (as
    /// <see cref="Optimizer.Update"/> keeps it): lr_t = lr·√(1−β2^t)/(1−β1^t), m = β1·m + (1−β1)·g,
    /// v = β2·v + (1−β2)·g², w −= lr_t·m/(√v + ε). That is the fused PyTorch-form op
    /// (w −= lr·m̂/(√v̂ + ε′), m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)) with ε′ = ε/√(1−β2^t): one op per weight
    /// instead of eleven.
    /// </summary>
    private void KerasAdamUpdate(Adam adam)
    {
        using var noGrad = Tensor.NoGrad();
        foreach (var layer in _layers)
            foreach (var w in layer.Weights)
            {
                if (!w.Trainable || w.Value.Grad is not { } g) continue;
                var p = w.Value;
                var state = adam.StateFor(w.FullName);
                state.Step++;
                double epsHat = adam.Eps / Math.Sqrt(1 - Math.Pow(adam.Beta2, state.Step));
                p.Backend.AdamUpdate(p, g, state.Slot("m", p), state.Slot("v", p), adam.LearningRate, adam.Beta1, adam.Beta2, epsHat, state.Step);
            }
    }

    /// <summary>Weights of frozen layers stop asking for gradients; the rest ask again.</summary>
    private void SyncRequiresGrad()
    {
        foreach (var w in Weights) w.Value.RequiresGrad = w.Trainable;
    }

    /// <summary>Number of rows where the prediction matches the target (0 without an accuracy metric).</summary>
    private int Correct(Tensor output, Tensor y)
    {
        if (_accuracyKind is null) return 0;
        var p = output.ToDoubleArray();
        var t = y.ToDoubleArray();
        int n = output.Dim(0), c = (int)(output.Size / Math.Max(1, n)), correct = 0;
        for (int i = 0; i < n; i++)
        {
            if (_accuracyKind == "binary")
            {
                // Scores before a fused softmax never reach here; sigmoid outputs are probabilities.
                for (int j = 0; j < c; j++) correct += (p[i * c + j] > 0.5 ? 1 : 0) == (t[i * c + j] > 0.5 ? 1 : 0) ? 1 : 0;
                continue;
            }
            int best = ArgMax(p, i * c, c);
            int label = _accuracyKind == "sparse" ? (int)t[i] : ArgMax(t, i * c, c);
            if (best == label) correct++;
        }
        return _accuracyKind == "binary" && c > 1 ? correct / c : correct;
    }

    private static int ArgMax(double[] v, int start, int count)
    {
        int best = 0;
        for (int j = 1; j < count; j++) if (v[start + j] > v[start + best]) best = j;
        return best;
    }

    /// <summary>Targets on the model's device in the form the loss needs (class indices as Int64 for the sparse loss).</summary>
    private Tensor PrepareTargets(Tensor y)
    {
        var t = y;
        if (_lossName == Losses.SparseCategoricalCrossentropy)
        {
            if (t.Rank == 2 && t.Dim(1) == 1) t = t.Reshape(t.Dim(0));
            if (t.DType != DType.Int64) t = t.To(DType.Int64);
        }
        else if (t.DType != DType) t = t.To(DType);
        return t.To(Device);
    }

    /// <summary>
    /// Loss (and accuracy) of the model on (x, y) in inference mode, in batches of <paramref name="batchSize"/>;
    /// keys "loss" and "acc". Each value is the mean over all samples.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32)
    {
        CheckXY("Evaluate", x, y, batchSize);
        int n = x.Dim(0);
        double lossSum = 0;
        long correct = 0;
        using (Tensor.NoGrad())
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = Tensor.Scope();
                int m = Math.Min(batchSize, n - start);
                var xb = x.Rows(start, m).To(Device);
                var yb = PrepareTargets(y.Rows(start, m));
                var (loss, output) = LossOf(xb, yb, training: false);
                lossSum += loss.Item() * m;
                correct += Correct(output, yb);
            }
        var logs = new Dictionary<string, double> { ["loss"] = lossSum / n };
        if (_accuracyKind is not null) logs["acc"] = (double)correct / n;
        return logs;
    }

    /// <summary>
    /// The model's outputs for x in inference mode, computed <paramref name="batchSize"/> rows at a time;
    /// a CPU tensor [N, …OutputShape].
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 32)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"{Name}.Predict: batchSize must be positive, got {batchSize}.");
        if (x.Rank < 1 || x.Dim(0) == 0) throw new ArgumentException($"{Name}.Predict: expected a non-empty batch [N, …], got {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0);
        var parts = new List<double[]>();
        int[]? outShape = null;
        using (Tensor.NoGrad())
            for (int start = 0; start < n; start += batchSize)
            {
                using var scope = Tensor.Scope();
                int m = Math.Min(batchSize, n - start);
                var xb = (start == 0 && m == n ? x : x.Rows(start, m)).To(Device);
                if (xb.DType != DType) xb = xb.To(DType);
                var yb = Call(xb);
                outShape ??= yb.Shape[1..];
                parts.Add(yb.ToDoubleArray());
            }
        var all = parts.SelectMany(p => p).ToArray();
        return Tensor.FromDoubles(all, [n, .. outShape!], DType, Device.Cpu);
    }

    private void CheckXY(string op, Tensor x, Tensor y, int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"{Name}.{op}: batchSize must be positive, got {batchSize}.");
        if (x.Rank < 1 || y.Rank < 1 || x.Dim(0) != y.Dim(0))
            throw new ArgumentException($"{Name}.{op}: x {Tensor.ShapeString(x.Shape)} and y {Tensor.ShapeString(y.Shape)} must have the same number of samples (first axis).");
        if (x.Dim(0) == 0) throw new ArgumentException($"{Name}.{op}: there are no samples.");
    }
}
