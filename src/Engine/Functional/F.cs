namespace Engine.Functional;

/// <summary>
/// The functional API (torch.nn.functional as F): stateless functions that the modules of
/// <c>Engine.Nn</c> call. All record autograd; losses (F.Losses.cs, F.CrossEntropy.cs) take a <c>reduction</c>
/// of "mean", "sum" or "none" and follow torch.nn.functional's signatures and formulas.
/// </summary>
public static partial class F
{
    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => x.Relu();

    /// <summary>1/(1+e^−x).</summary>
    public static Tensor Sigmoid(Tensor x) => x.Sigmoid();

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor x) => x.Tanh();

    /// <summary>Softmax along <paramref name="dim"/> (torch.nn.functional.softmax; the last axis by default).</summary>
    public static Tensor Softmax(Tensor x, int dim = -1) => AlongLastAxis(x, dim, "Softmax", t => t.Softmax());

    /// <summary>Log-softmax along <paramref name="dim"/> (torch.nn.functional.log_softmax; the last axis by default).</summary>
    public static Tensor LogSoftmax(Tensor x, int dim = -1) => AlongLastAxis(x, dim, "LogSoftmax", t => t.LogSoftmax());

    /// <summary>f, a last-axis op, applied along <paramref name="dim"/>: dim swapped with the last axis and back.</summary>
    private static Tensor AlongLastAxis(Tensor x, int dim, string op, Func<Tensor, Tensor> f)
    {
        int rank = Math.Max(x.Rank, 1);
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank)
            throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: dim {dim} is out of range for an input of shape {Tensor.ShapeString(x.Shape)}.");
        if (x.Rank == 0 || d == x.Rank - 1) return f(x);
        return f(x.Transpose(d, -1)).Transpose(d, -1);
    }

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

    private static void CheckSameShape(string op, Tensor input, Tensor target)
    {
        if (!input.SameShape(target))
            throw new ArgumentException($"{op}: input shape {Tensor.ShapeString(input.Shape)} and target shape {Tensor.ShapeString(target.Shape)} differ; reshape one so they match.");
    }
}
