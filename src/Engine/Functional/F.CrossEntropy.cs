namespace Engine.Functional;

// Cross-entropy and negative log-likelihood exactly as torch.nn.functional.cross_entropy / nll_loss
// define them: class dimension 1 (input [C], [N, C] or [N, C, d1, …]), class-index or probability
// targets, per-class weight, ignore_index, label_smoothing and reduction "mean" / "sum" / "none".
public static partial class F
{
    /// <summary>
    /// Cross-entropy of raw scores (torch.nn.functional.cross_entropy): −log_softmax(input) picked by the
    /// target, with log_softmax = x − max − log Σ exp(x − max) over the class dimension 1 (no guard).
    /// input [C], [N, C] or [N, C, d1, …]; target either class indices (Int64, or Int32, of the input's shape
    /// without the class dimension) or class probabilities (the input's shape and dtype).
    /// With indices: loss_i = −weight[y_i]·log p[i, y_i], 0 where y_i == <paramref name="ignoreIndex"/>;
    /// "mean" divides the sum by Σ weight[y_i] over the rows not ignored (NaN when all are ignored, as in PyTorch).
    /// <paramref name="labelSmoothing"/> ε mixes in the uniform distribution: (1 − ε)·nll + ε/C·smooth with
    /// smooth_i = −Σ_c weight[c]·log p[i, c] (0 on ignored rows), reduced the same way.
    /// With probabilities: loss_i = −Σ_c weight[c]·t'[i, c]·log p[i, c], t' = (1 − ε)·t + ε/C; "mean" divides by
    /// the number of rows. Without weight, smoothing or ignored rows the fused op
    /// <see cref="IBackend.SoftmaxCrossEntropy"/> (δ = 0) computes the loss and its backward (softmax − t)·scale.
    /// </summary>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        string reduction = "mean", double labelSmoothing = 0.0)
    {
        const string op = "CrossEntropyLoss";
        string red = CheckReduction(reduction, op);
        input.CheckAlive(op);
        target.CheckAlive(op);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"{op}: label_smoothing must be between 0.0 and 1.0, got {labelSmoothing}.");
        var (x2, t2, outShape) = ClassRows(op, input, target, probabilities: target.DType.IsFloat());
        int c = x2.Dim(1);
        CheckClassWeight(op, input, weight, c);
        if (target.DType.IsFloat())
        {
            if (ignoreIndex >= 0)
                throw new ArgumentException($"{op}: ignore_index ({ignoreIndex}) is not supported for probability targets; pass class indices.");
            if (weight is null && labelSmoothing == 0) return FusedCrossEntropy(op, x2, t2, red, outShape);
            return ProbabilityCrossEntropy(x2, t2, weight, red, labelSmoothing, outShape);
        }
        var labels = HostLabels(op, t2, c, ignoreIndex);
        if (weight is null && labelSmoothing == 0 && !labels.Contains(ignoreIndex)) return FusedCrossEntropy(op, x2, t2, red, outShape);
        var logp = x2.LogSoftmax();
        var (nll, denominator) = PickedNll(logp, labels, weight, ignoreIndex);
        var loss = ReduceNll(nll, denominator, red, outShape);
        if (labelSmoothing == 0) return loss;
        // smooth_i = −Σ_c w_c·log p[i, c], zero on ignored rows; reduced like the nll term.
        var weighted = weight is null ? logp : logp * weight.Reshape(1, c);
        var keep = Tensor.FromDoubles(labels.Select(l => l == ignoreIndex ? 0.0 : 1.0).ToArray(), [labels.Length], input.DType, input.Device);
        var smooth = weighted.Sum(1).Neg() * keep;
        var smoothReduced = ReduceNll(smooth, denominator, red, outShape);
        return loss * (1 - labelSmoothing) + smoothReduced * (labelSmoothing / c);
    }

    /// <summary>
    /// Negative log-likelihood (torch.nn.functional.nll_loss) of log-probabilities input [C], [N, C] or
    /// [N, C, d1, …] and class indices: loss_i = −weight[y_i]·input[i, y_i], 0 where y_i == ignore_index;
    /// "mean" divides by Σ weight[y_i] over the rows not ignored.
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, long ignoreIndex = -100, string reduction = "mean")
    {
        const string op = "NLLLoss";
        string red = CheckReduction(reduction, op);
        input.CheckAlive(op);
        target.CheckAlive(op);
        if (target.DType.IsFloat())
            throw new ArgumentException($"{op}: expected class-index targets (Int64 or Int32), got {target.DType.Name()}.");
        var (x2, t2, outShape) = ClassRows(op, input, target, probabilities: false);
        CheckClassWeight(op, input, weight, x2.Dim(1));
        var labels = HostLabels(op, t2, x2.Dim(1), ignoreIndex);
        var (nll, denominator) = PickedNll(x2, labels, weight, ignoreIndex);
        return ReduceNll(nll, denominator, red, outShape);
    }

    /// <summary>The fused op with δ = 0: per-row −Σ t·log_softmax(x) and its backward (softmax − t)·scale.</summary>
    private static Tensor FusedCrossEntropy(string op, Tensor logits, Tensor target, string red, int[] outShape)
    {
        int n = logits.Dim(0);
        var probs = Tensor.ZerosLike(logits);
        var perSample = Tensor.Zeros([n], logits.DType, logits.Device);
        logits.Backend.SoftmaxCrossEntropy(logits, target, probs, perSample, delta: 0);
        Tensor y;
        if (red == "none") y = perSample;
        else
        {
            using (Tensor.NoGrad()) y = red == "sum" ? perSample.Sum() : perSample.Sum() / Tensor.Scalar(n, logits.DType, logits.Device);
            perSample.Dispose();
        }
        double scale = red == "mean" ? 1.0 / n : 1.0;
        var result = Autograd.Record(y, op, [logits], g =>
        {
            var dx = Tensor.ZerosLike(probs);
            probs.Backend.SoftmaxCrossEntropyBackward(probs, target, scale, dx);
            // dx = (probs − t)·scale; times the incoming gradient (a scalar, or one value per row for "none").
            var gRows = red == "none" ? g.Reshape(n, 1) : g;
            var r = dx * gRows;
            dx.Dispose();
            return [r];
        });
        return red == "none" && !outShape.AsSpan().SequenceEqual(result.Shape) ? result.Reshape(outShape) : result;
    }

    /// <summary>Probability targets with weight or smoothing: −Σ_c w_c·t'·log_softmax(x), mean over rows.</summary>
    private static Tensor ProbabilityCrossEntropy(Tensor x2, Tensor t2, Tensor? weight, string red, double eps, int[] outShape)
    {
        int n = x2.Dim(0), c = x2.Dim(1);
        var logp = x2.LogSoftmax();
        var t = eps > 0 ? t2 * (1 - eps) + eps / c : t2;
        var prod = logp * t;
        if (weight is not null) prod = prod * weight.Reshape(1, c);
        return red switch
        {
            "none" => prod.Sum(1).Neg().Reshape(outShape),
            "sum" => prod.Sum().Neg(),
            _ => prod.Sum().Neg() / Tensor.Scalar(n, x2.DType, x2.Device),
        };
    }

    /// <summary>
    /// Per-row −w[y_i]·logp[i, y_i] (0 on ignored rows) as one gather (IndexSelect of logp viewed as
    /// [M·C, 1]), and the "mean" denominator Σ w[y_i] over the rows not ignored.
    /// </summary>
    private static (Tensor Nll, double Denominator) PickedNll(Tensor logp, long[] labels, Tensor? weight, long ignoreIndex)
    {
        int m = logp.Dim(0), c = logp.Dim(1);
        var w = weight?.Cpu().ToDoubleArray();
        var index = new int[m];
        var coef = new double[m];
        double denominator = 0;
        for (int i = 0; i < m; i++)
        {
            bool ignored = labels[i] == ignoreIndex;
            int label = ignored ? 0 : (int)labels[i];
            index[i] = i * c + label;
            double wi = ignored ? 0 : w?[label] ?? 1;
            coef[i] = -wi;
            denominator += wi;
        }
        var picked = logp.Reshape(m * c, 1).IndexSelect(index).Reshape(m);
        var nll = picked * Tensor.FromDoubles(coef, [m], logp.DType, logp.Device);
        return (nll, denominator);
    }

    /// <summary>Reduction of per-row nll terms: none → reshaped to the target's shape, sum, or sum / denominator.</summary>
    private static Tensor ReduceNll(Tensor perRow, double denominator, string red, int[] outShape) => red switch
    {
        "none" => perRow.Reshape(outShape),
        "sum" => perRow.Sum(),
        _ => perRow.Sum() / Tensor.Scalar(denominator, perRow.DType, perRow.Device),
    };

    /// <summary>
    /// Moves the class dimension 1 last and flattens: input [C] → [1, C], [N, C] as is, [N, C, d1, …] →
    /// [N·d1·…, C]; the target follows (indices → [M], probabilities → [M, C]). Also returns the shape of a
    /// "none" result (the target's shape without the class dimension).
    /// </summary>
    private static (Tensor X, Tensor T, int[] OutShape) ClassRows(string op, Tensor input, Tensor target, bool probabilities)
    {
        input.CheckFloat(op);
        target.CheckAlive(op);
        if (target.Device != input.Device)
            throw new InvalidOperationException($"{op}: the input is on {input.Device} (shape {Tensor.ShapeString(input.Shape)}) but the target is on {target.Device} (shape {Tensor.ShapeString(target.Shape)}).");
        if (input.Rank == 0)
            throw new ArgumentException($"{op}: expected an input of shape [C], [N, C] or [N, C, d1, ...], got a scalar.");
        int[] shape = input.Shape;
        int c = input.Rank == 1 ? shape[0] : shape[1];
        int[] outShape = input.Rank == 1 ? [] : [shape[0], .. shape[2..]];
        if (probabilities)
        {
            if (!target.SameShape(input))
                throw new ArgumentException($"{op}: probability targets must have the input's shape {Tensor.ShapeString(shape)}, got {Tensor.ShapeString(target.Shape)}.");
            if (target.DType != input.DType)
                throw new InvalidOperationException($"{op}: the input is {input.DType.Name()} but the probability target is {target.DType.Name()}.");
        }
        else
        {
            if (target.DType is not (DType.Int32 or DType.Int64))
                throw new ArgumentException($"{op}: expected class-index targets (Int64 or Int32) or probabilities of the input's dtype, got {target.DType.Name()}.");
            if (!target.Shape.AsSpan().SequenceEqual(outShape))
                throw new ArgumentException($"{op}: class-index targets must have shape {Tensor.ShapeString(outShape)} for input {Tensor.ShapeString(shape)}, got {Tensor.ShapeString(target.Shape)}.");
        }
        if (input.Rank <= 2)
        {
            if (input.Rank == 2) return (input, target, outShape);
            return (input.Reshape(1, c), probabilities ? target.Reshape(1, c) : target.Reshape(1), outShape);
        }
        // [N, C, d…] → [N, d…, C] → [M, C]
        int[] perm = [0, .. Enumerable.Range(2, input.Rank - 2), 1];
        var x2 = input.Permute(perm).Reshape(-1, c);
        var t2 = probabilities ? target.Permute(perm).Reshape(-1, c) : target.Reshape(-1);
        return (x2, t2, outShape);
    }

    /// <summary>Throws unless weight is null or a [C] tensor of the input's dtype and device.</summary>
    private static void CheckClassWeight(string op, Tensor input, Tensor? weight, int c)
    {
        if (weight is null) return;
        Tensor.CheckSameKind(op, input, weight);
        if (weight.Rank != 1 || weight.Dim(0) != c)
            throw new ArgumentException($"{op}: expected a weight of shape [{c}] (one per class), got {Tensor.ShapeString(weight.Shape)}.");
    }

    /// <summary>The labels on the host, each in [0, C) or equal to ignore_index.</summary>
    private static long[] HostLabels(string op, Tensor target, int c, long ignoreIndex)
    {
        using var cpu = target.Device == Device.Cpu ? null : target.Cpu();
        var t = cpu ?? target;
        var labels = t.DType == DType.Int32 ? t.Span<int>().ToArray().Select(v => (long)v).ToArray() : t.Span<long>().ToArray();
        foreach (long l in labels)
            if ((l < 0 || l >= c) && l != ignoreIndex)
                throw new IndexOutOfRangeException($"{op}: label {l} is out of range for {c} classes (ignore_index is {ignoreIndex}).");
        return labels;
    }
}
