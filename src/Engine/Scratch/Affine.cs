namespace Engine.Scratch;

/// <summary>
/// Affine (fully connected) layer (DLfS 5.6.2): out = x·W + b with W [in, out] and b [out].
/// Input of rank &gt; 2 (e.g. images [N, C, H, W]) is viewed as [N, in] like DLfS's
/// <c>x.reshape(x.shape[0], -1)</c>, and dx comes back in the input's original shape.
/// Forward caches x; backward fills <see cref="DW"/> = xᵀ·dout and <see cref="DB"/> = Σ_rows dout.
/// </summary>
public sealed class Affine : ILayer
{
    private Tensor? _x;
    private int[]? _originalXShape;

    /// <summary>A layer over existing weight and bias tensors (they are used, not copied, so optimiser updates show here).</summary>
    public Affine(Tensor w, Tensor b)
    {
        w.CheckFloat("Affine");
        if (w.Rank != 2)
            throw new ArgumentException($"Affine: W must be 2-D [in, out], but got shape {Tensor.ShapeString(w.Shape)}.");
        if (b.Rank != 1 || b.Dim(0) != w.Dim(1))
            throw new ArgumentException($"Affine: b must have shape [{w.Dim(1)}] to match W {Tensor.ShapeString(w.Shape)}, but got {Tensor.ShapeString(b.Shape)}.");
        Tensor.CheckSameKind("Affine", w, b);
        W = w;
        B = b;
    }

    /// <summary>Weights [in, out] (DLfS <c>W</c>).</summary>
    public Tensor W { get; }

    /// <summary>Bias [out] (DLfS <c>b</c>).</summary>
    public Tensor B { get; }

    /// <summary>dL/dW [in, out] from the last backward (DLfS <c>dW</c>); null before.</summary>
    public Tensor? DW { get; private set; }

    /// <summary>dL/db [out] from the last backward (DLfS <c>db</c>); null before.</summary>
    public Tensor? DB { get; private set; }

    /// <summary>x [N, in] (or [N, …] with in elements per sample) → x·W + b [N, out].</summary>
    public Tensor Forward(Tensor x)
    {
        if (x.Rank < 2)
            throw new ArgumentException($"Affine.Forward: expected a batch [N, {W.Dim(0)}] (or [N, …] with {W.Dim(0)} values per sample), but got shape {Tensor.ShapeString(x.Shape)}.");
        Tensor.CheckSameKind("Affine.Forward", x, W);
        _originalXShape = x.Shape;
        long perSample = x.Size / Math.Max(x.Dim(0), 1);
        if (perSample != W.Dim(0))
            throw new ArgumentException($"Affine.Forward: input of shape {Tensor.ShapeString(x.Shape)} has {perSample} values per sample, but W has shape {Tensor.ShapeString(W.Shape)} and expects {W.Dim(0)}.");
        _x = x.Rank == 2 ? x : x.Reshape(x.Dim(0), -1);
        var y = _x.MatMul(W);
        // A parameter tracked by autograd: record the add (an in-place add would leave b out of the graph).
        if (y.RequiresGrad || B.RequiresGrad) using (y) return y + B;
        return y.AddInPlace(B); // the same sums as x·W + b, without a second [N, out] tensor
    }

    /// <summary>dout [N, out] → dx = dout·Wᵀ in the input's shape; sets DW = xᵀ·dout and DB = Σ_rows dout.</summary>
    public Tensor Backward(Tensor dout)
    {
        if (_x is null || _originalXShape is null)
            throw new InvalidOperationException("Affine.Backward: call Forward first (the layer has no cached input yet).");
        int[] expected = [_x.Dim(0), W.Dim(1)];
        if (dout.Rank != 2 || dout.Dim(0) != expected[0] || dout.Dim(1) != expected[1])
            throw new ArgumentException($"Affine.Backward: expected dout of shape {Tensor.ShapeString(expected)} (the forward output), but got {Tensor.ShapeString(dout.Shape)}.");
        Tensor.CheckSameKind("Affine.Backward", dout, W);
        var dx = dout.MatMul(W, transB: true);
        DW = _x.MatMul(dout, transA: true);
        DB = dout.Sum(0);
        if (_originalXShape.Length == 2) return dx;
        using (dx) return dx.Reshape(_originalXShape);
    }
}
