namespace Engine.Functional;

/// <summary>
/// The functional API (torch.nn.functional as F): stateless functions that the modules of
/// <c>Engine.Nn</c> call. All record autograd; losses take a <c>reduction</c> of "mean", "sum" or "none".
/// </summary>
public static partial class F
{
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => x.Relu();

    /// <summary>1/(1+e^−x).</summary>
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor x) => x.Tanh();

    /// <summary>Softmax along the last axis.</summary>
    public static Tensor Softmax(Tensor x) => x.Softmax();

    /// <summary>Log-softmax along the last axis.</summary>
    public static Tensor LogSoftmax(Tensor x) => x.LogSoftmax();

    /// <summary>
    /// y = x·Wᵀ + b (torch.nn.functional.linear): x [*, in], weight [out, in], bias [out] or null → y [*, out].
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Linear: expected a 2-D weight [out, in], got shape {Tensor.ShapeString(weight.Shape)}.");
        int outF = weight.Dim(0), inF = weight.Dim(1);
        if (x.Rank < 1 || x.Dim(-1) != inF)
            throw new ArgumentException($"Linear: input shape {Tensor.ShapeString(x.Shape)} does not end in in_features = {inF} (weight {Tensor.ShapeString(weight.Shape)}).");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != outF))
            throw new ArgumentException($"Linear: expected a bias of shape [{outF}], got {Tensor.ShapeString(bias.Shape)}.");
        var x2 = x.Rank == 2 ? x : x.Reshape(-1, inF);
        var y = x2.MatMul(weight, transB: true);
        if (bias is not null) y = y + bias;
        if (x.Rank == 2) return y;
        var shape = x.Shape;
        shape[^1] = outF;
        return y.Reshape(shape);
    }

    /// <summary>
    /// Inverted dropout (torch.nn.functional.dropout): in training each element is zeroed with
    /// probability p and the rest scaled by 1/(1−p); the 0/1 mask is drawn on the CPU from
    /// <paramref name="generator"/> so every device drops the same elements. Identity when not training.
    /// </summary>
    public static Tensor Dropout(Tensor x, double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1], got {p}.");
        x.CheckFloat("Dropout");
        if (!training || p == 0) return x;
        var g = generator ?? Generator.Default;
        var bits = new double[x.Size];
        for (int i = 0; i < bits.Length; i++) bits[i] = g.NextDouble() >= p ? 1 : 0;
        var mask = Tensor.FromDoubles(bits, x.Shape, x.DType, x.Device);
        double scale = p < 1 ? 1 / (1 - p) : 0;
        var y = Tensor.ZerosLike(x);
        x.Backend.Dropout(x, mask, scale, y);
        return Autograd.Record(y, "Dropout", [x], gy =>
        {
            var dx = Tensor.ZerosLike(gy);
            gy.Backend.Dropout(gy, mask, scale, dx);
            return [dx];
        });
    }

    /// <summary>Mean squared error: (input − target)², reduced (torch.nn.functional.mse_loss).</summary>
    public static Tensor Mse(Tensor input, Tensor target, string reduction = "mean")
    {
        CheckSameShape("MSELoss", input, target);
        return Reduce((input - target).Square(), reduction, "MSELoss");
    }

    /// <summary>
    /// Binary cross-entropy on probabilities: −(t·log x + (1−t)·log(1−x)), each log clamped at −100
    /// like PyTorch (torch.nn.functional.binary_cross_entropy). input and target have the same shape.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, string reduction = "mean")
    {
        CheckSameShape("BCELoss", input, target);
        Tensor.CheckSameKind("BCELoss", input, target);
        input.CheckFloat("BCELoss");
        CheckProbabilities("BCELoss", input);
        var logX = input.Log().Clamp(min: -100);
        var log1mX = input.RSub(1).Log().Clamp(min: -100);
        var loss = -(target * logX + target.RSub(1) * log1mX);
        return Reduce(loss, reduction, "BCELoss");
    }

    /// <summary>
    /// Cross-entropy of raw scores (torch.nn.functional.cross_entropy): logits [N, C]; target either
    /// class indices (Int32/Int64 [N]) or probabilities/one-hot (float [N, C]). Runs the fused backend op
    /// <see cref="IBackend.SoftmaxCrossEntropy"/> (per-sample −log(softmax + 1e-7)); its backward is
    /// (softmax − target) scaled by the incoming gradient (÷N for "mean").
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, string reduction = "mean")
    {
        const string op = "CrossEntropyLoss";
        logits.CheckFloat(op);
        target.CheckAlive(op);
        if (logits.Rank != 2)
            throw new ArgumentException($"{op}: expected logits of shape [N, C], got {Tensor.ShapeString(logits.Shape)}.");
        int n = logits.Dim(0), c = logits.Dim(1);
        if (target.Device != logits.Device)
            throw new InvalidOperationException($"{op}: logits are on {logits.Device} (shape {Tensor.ShapeString(logits.Shape)}) but the target is on {target.Device} (shape {Tensor.ShapeString(target.Shape)}).");
        if (target.DType is DType.Int32 or DType.Int64)
        {
            if (target.Rank != 1 || target.Dim(0) != n)
                throw new ArgumentException($"{op}: class-index targets must have shape [{n}] for logits {Tensor.ShapeString(logits.Shape)}, got {Tensor.ShapeString(target.Shape)}.");
            if (target.Device == Device.Cpu)
            {
                var labels = target.DType == DType.Int32 ? target.Span<int>().ToArray().Select(v => (long)v).ToArray() : target.Span<long>().ToArray();
                foreach (long l in labels)
                    if (l < 0 || l >= c) throw new IndexOutOfRangeException($"{op}: label {l} is out of range for {c} classes (logits {Tensor.ShapeString(logits.Shape)}).");
            }
        }
        else
        {
            if (!target.SameShape(logits))
                throw new ArgumentException($"{op}: probability/one-hot targets must have the logits' shape {Tensor.ShapeString(logits.Shape)}, got {Tensor.ShapeString(target.Shape)}.");
            if (target.DType != logits.DType)
                throw new InvalidOperationException($"{op}: logits are {logits.DType.Name()} but the one-hot target is {target.DType.Name()}.");
        }
        string red = CheckReduction(reduction, op);
        var probs = Tensor.ZerosLike(logits);
        var perSample = Tensor.Zeros([n], logits.DType, logits.Device);
        logits.Backend.SoftmaxCrossEntropy(logits, target, probs, perSample);
        Tensor y;
        if (red == "none") y = perSample;
        else
        {
            using (Tensor.NoGrad()) y = red == "sum" ? perSample.Sum() : perSample.Mean();
            perSample.Dispose();
        }
        double scale = red == "mean" ? 1.0 / n : 1.0;
        return Autograd.Record(y, op, [logits], g =>
        {
            var dx = Tensor.ZerosLike(probs);
            probs.Backend.SoftmaxCrossEntropyBackward(probs, target, scale, dx);
            // dx = (probs − t)·scale; times the incoming gradient (a scalar, or one value per row for "none").
            var gRows = red == "none" ? g.Reshape(n, 1) : g;
            var r = dx * gRows;
            dx.Dispose();
            return [r];
        });
    }

    /// <summary>Negative log-likelihood of log-probabilities [N, C] and class indices [N] (torch.nn.functional.nll_loss).</summary>
    public static Tensor NllLoss(Tensor logProbs, Tensor target, string reduction = "mean")
    {
        logProbs.CheckFloat("NLLLoss");
        target.CheckAlive("NLLLoss");
        if (logProbs.Rank != 2 || target.Rank != 1 || target.Dim(0) != logProbs.Dim(0))
            throw new ArgumentException($"NLLLoss: expected log-probabilities [N, C] and labels [N], got {Tensor.ShapeString(logProbs.Shape)} and {Tensor.ShapeString(target.Shape)}.");
        // Kept alive (not disposed here): the backward of the product reads it.
        var onDevice = target.Device == logProbs.Device
            ? target.OneHot(logProbs.Dim(1), logProbs.DType)
            : target.Cpu().OneHot(logProbs.Dim(1), logProbs.DType).To(logProbs.Device);
        var picked = -(logProbs * onDevice).Sum(-1);
        return Reduce(picked, reduction, "NLLLoss");
    }

    /// <summary>Applies a loss reduction: "mean" → mean of all elements, "sum" → sum, "none" → unchanged.</summary>
    public static Tensor Reduce(Tensor loss, string reduction, string op = "loss") => CheckReduction(reduction, op) switch
    {
        "mean" => loss.Mean(),
        "sum" => loss.Sum(),
        _ => loss,
    };

    internal static string CheckReduction(string reduction, string op) => reduction is "mean" or "sum" or "none"
        ? reduction
        : throw new ArgumentException($"{op}: reduction must be \"mean\", \"sum\" or \"none\", got \"{reduction}\".");

    /// <summary>Throws unless every element lies in [0, 1] (NaN included in the refusal), as torch's binary_cross_entropy does.</summary>
    private static void CheckProbabilities(string op, Tensor input)
    {
        if (input.Size == 0) return;
        double lo, hi, sum;
        using (Tensor.NoGrad())
        using (var mn = input.Min())
        using (var mx = input.Max())
        using (var sm = input.Sum())
        {
            lo = mn.Item();
            hi = mx.Item();
            sum = sm.Item();
        }
        if (!(lo >= 0 && hi <= 1) || double.IsNaN(sum))
            throw new ArgumentException($"{op}: all elements of input should be between 0 and 1 (probabilities; apply Sigmoid first or use BCEWithLogits), but they span [{lo}, {hi}]{(double.IsNaN(sum) ? " and include NaN" : "")} (shape {Tensor.ShapeString(input.Shape)}).");
    }

    private static void CheckSameShape(string op, Tensor input, Tensor target)
    {
        if (!input.SameShape(target))
            throw new ArgumentException($"{op}: input shape {Tensor.ShapeString(input.Shape)} and target shape {Tensor.ShapeString(target.Shape)} differ; reshape one so they match.");
    }
}
