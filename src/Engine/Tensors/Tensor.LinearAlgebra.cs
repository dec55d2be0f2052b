namespace Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product: [M,K]·[K,N] → [M,N], or batched [B,M,K]·[B,K,N] → [B,M,N].
    /// <paramref name="transA"/>/<paramref name="transB"/> use the transposed operand without copying it.
    /// </summary>
    public Tensor MatMul(Tensor other, bool transA = false, bool transB = false)
    {
        CheckSameKind("MatMul", this, other);
        CheckFloat("MatMul");
        if (Rank is not (2 or 3) || other.Rank != Rank)
            throw new ArgumentException($"MatMul: expected two 2-D or two 3-D tensors, got shapes {ShapeString(_shape)} and {ShapeString(other._shape)}.");
        int r = Rank;
        int m = transA ? _shape[r - 1] : _shape[r - 2], k = transA ? _shape[r - 2] : _shape[r - 1];
        int k2 = transB ? other._shape[r - 1] : other._shape[r - 2], n = transB ? other._shape[r - 2] : other._shape[r - 1];
        if (k != k2 || (r == 3 && _shape[0] != other._shape[0]))
            throw new ArgumentException($"MatMul: shapes {ShapeString(_shape)}{(transA ? "ᵀ" : "")} and {ShapeString(other._shape)}{(transB ? "ᵀ" : "")} do not line up (inner dimensions {k} and {k2}).");
        int[] shape = r == 2 ? [m, n] : [_shape[0], m, n];
        var y = new Tensor(Backend.AllocateUninitialized(DType, CheckedSize("MatMul", shape)), shape);
        Backend.MatMul(this, other, y, transA, transB);
        return Autograd.Records(this, other) ? RecordMatMul(other, y, transA, transB) : y;
    }

    /// <summary>y = op(this)·op(other) in the graph. Only the operands that need a gradient get one (x·W with a data batch x skips dx).</summary>
    private Tensor RecordMatMul(Tensor other, Tensor y, bool transA, bool transB)
    {
        var a = this;
        return Autograd.Record(y, "MatMul", [this, other], g =>
        [
            !a.RequiresGrad ? null : transA ? other.MatMul(g, transB, true) : g.MatMul(other, false, !transB),
            !other.RequiresGrad ? null : transB ? g.MatMul(a, true, transA) : a.MatMul(g, !transA, false),
        ]);
    }

    /// <summary>Softmax along the last axis (rows), max-subtracted.</summary>
    public Tensor Softmax()
    {
        CheckFloat("Softmax");
        var y = new Tensor(Backend.Allocate(DType, Size), (int[])_shape.Clone());
        Backend.Softmax(this, y);
        return Autograd.Record(y, "Softmax", [this], g => [y * (g - (g * y).Sum(-1, keepDim: true))]);
    }

    /// <summary>Log-softmax along the last axis.</summary>
    public Tensor LogSoftmax()
    {
        CheckFloat("LogSoftmax");
        var y = new Tensor(Backend.Allocate(DType, Size), (int[])_shape.Clone());
        Backend.LogSoftmax(this, y);
        return Autograd.Record(y, "LogSoftmax", [this], g => [g - y.Exp() * g.Sum(-1, keepDim: true)]);
    }
}
