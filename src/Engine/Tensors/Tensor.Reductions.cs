namespace Engine;

public sealed partial class Tensor
{
    /// <summary>Reduction names for argument checks and graph nodes, looked up by value.</summary>
    private static readonly string[] ReduceNames = Enum.GetNames<ReduceOp>();

    private Tensor ReduceAxis(ReduceOp op, int axis, bool keepDim)
    {
        string name = ReduceNames[(int)op];
        CheckFloat(name);
        int a = NormalizeAxis(axis, Rank, name);
        // A scalar reduces along its one implicit axis to itself (PyTorch: dim 0 or −1, keepdim or not).
        if (Rank == 0) return Reshape(1).ReduceAxis(op, 0, keepDim: false);
        if (_shape[a] == 0 && op is ReduceOp.Max or ReduceOp.Min)
            throw new ArgumentException($"{op}: expected reduction dim {a} to have non-zero size (shape {ShapeString(_shape)}); the max or min of nothing is undefined.");
        var keep = (int[])_shape.Clone();
        keep[a] = 1;
        var y = new Tensor(Backend.Allocate(DType, CheckedSize(name, keep)), keep);
        Backend.Reduce(op, this, a, y);
        if (Autograd.Records(this)) RecordReduce(op, name, a, keep, y);
        return keepDim ? y : y.Reshape(ShapeWithout(a));
    }

    /// <summary>This tensor's shape without axis <paramref name="a"/>.</summary>
    private int[] ShapeWithout(int a)
    {
        var shape = new int[Rank - 1];
        for (int i = 0, j = 0; i < Rank; i++) if (i != a) shape[j++] = _shape[i];
        return shape;
    }

    /// <summary>y = op(this) along axis a (kept as size 1: shape keep) in the graph.</summary>
    private void RecordReduce(ReduceOp op, string name, int a, int[] keep, Tensor y)
    {
        Func<Tensor, Tensor?[]> backward = op switch
        {
            ReduceOp.Sum => g => [g.Reshape(keep).Expand(_shape)],
            ReduceOp.Mean => g => [g.Reshape(keep).Expand(_shape) * (1.0 / _shape[a])],
            _ => g => [g.Reshape(keep) * Equal(y)],
        };
        Autograd.Record(y, name, [this], backward);
    }

    private Tensor ReduceAll(ReduceOp op)
    {
        CheckFloat(ReduceNames[(int)op]);
        if (Size == 0 && op is ReduceOp.Max or ReduceOp.Min)
            throw new ArgumentException($"{op}: expected a non-empty tensor (shape {ShapeString(_shape)}); specify the reduction dim with {op}(axis) for an empty tensor.");
        var flat = Rank == 1 ? this : Reshape(-1);
        return flat.ReduceAxis(op, 0, keepDim: false);
    }

    /// <summary>Sum of all elements (a scalar tensor).</summary>
    public Tensor Sum() => ReduceAll(ReduceOp.Sum);
    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => ReduceAll(ReduceOp.Mean);
    /// <summary>Largest element.</summary>
    public Tensor Max() => ReduceAll(ReduceOp.Max);
    /// <summary>Smallest element.</summary>
    public Tensor Min() => ReduceAll(ReduceOp.Min);

    /// <summary>Sum along an axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => ReduceAxis(ReduceOp.Sum, axis, keepDim);
    /// <summary>Mean along an axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => ReduceAxis(ReduceOp.Mean, axis, keepDim);
    /// <summary>Max along an axis.</summary>
    public Tensor Max(int axis, bool keepDim = false) => ReduceAxis(ReduceOp.Max, axis, keepDim);
    /// <summary>Min along an axis.</summary>
    public Tensor Min(int axis, bool keepDim = false) => ReduceAxis(ReduceOp.Min, axis, keepDim);

    /// <summary>Index of the largest element along an axis (Int32; the axis is removed).</summary>
    public Tensor ArgMax(int axis = -1)
    {
        CheckFloat("ArgMax");
        int a = NormalizeAxis(axis, Rank, "ArgMax");
        if (Rank == 0) return Reshape(1).ArgMax(0);
        if (_shape[a] == 0)
            throw new ArgumentException($"ArgMax: expected reduction dim {a} to have non-zero size (shape {ShapeString(_shape)}).");
        var shape = ShapeWithout(a);
        var y = new Tensor(Backend.Allocate(DType.Int32, CheckedSize("ArgMax", shape)), shape);
        Backend.ArgMax(this, a, y);
        return y;
    }
}
