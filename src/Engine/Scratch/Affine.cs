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
        LayerChecks.AffineParams(w, b);
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
        LayerChecks.AffineInput(x, W);
        _originalXShape = x.Shape;
        _x = x.Rank == 2 ? x : x.Reshape(x.Dim(0), -1);
        var y = _x.MatMul(W);
        // A parameter tracked by autograd: record the add (an in-place add would leave b out of the graph).
        if (y.RequiresGrad || B.RequiresGrad) using (y) return y + B;
        return y.AddInPlace(B); // the same sums as x·W + b, without a second [N, out] tensor
    }

    /// <summary>dout [N, out] → dx = dout·Wᵀ in the input's shape; sets DW = xᵀ·dout and DB = Σ_rows dout.</summary>
    public Tensor Backward(Tensor dout)
    {
        BackwardParams(dout);
        var dx = dout.MatMul(W, transB: true);
        if (_originalXShape!.Length == 2) return dx;
        using (dx) return dx.Reshape(_originalXShape);
    }

    /// <summary>dout [N, out] → DW = xᵀ·dout [in, out] and DB = Σ_rows dout [out], without dx.</summary>
    public void BackwardParams(Tensor dout)
    {
        var x = LayerChecks.AffineDout(dout, _x, W);
        DW = x.MatMul(dout, transA: true);
        DB = dout.Sum(0);
    }
}
