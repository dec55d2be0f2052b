using Engine.Functional;

namespace Engine.Scratch;

/// <summary>
/// Convolution layer (DLfS 7.4.3) on im2col: W [FN, C, FH, FW], b [FN]. Forward: col = im2col(x)
/// [N·OH·OW, C·FH·FW], out = col · W[FN, C·FH·FW]ᵀ + b, reshaped [N, OH, OW, FN] → [N, FN, OH, OW].
/// Backward: dout → [N·OH·OW, FN]; <see cref="DB"/> = Σ rows, <see cref="DW"/> = (colᵀ · dout)ᵀ (reshaped
/// like W), dx = col2im(dout · W). Forward caches x's shape and col.
/// </summary>
public sealed class Convolution : ILayer
{
    private Tensor? _col;
    private int[]? _xShape;
    private int _oh, _ow;

    /// <summary>A layer over existing filters and biases (used, not copied, so optimiser updates show here).</summary>
    public Convolution(Tensor w, Tensor b, int stride = 1, int pad = 0)
    {
        LayerChecks.ConvolutionParams(w, b, stride, pad);
        W = w;
        B = b;
        Stride = stride;
        Pad = pad;
    }

    /// <summary>Filters [FN, C, FH, FW] (DLfS <c>W</c>).</summary>
    public Tensor W { get; }

    /// <summary>Biases [FN] (DLfS <c>b</c>).</summary>
    public Tensor B { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Pad { get; }

    /// <summary>dL/dW [FN, C, FH, FW] from the last backward (DLfS <c>dW</c>); null before.</summary>
    public Tensor? DW { get; private set; }

    /// <summary>dL/db [FN] from the last backward (DLfS <c>db</c>); null before.</summary>
    public Tensor? DB { get; private set; }

    /// <summary>x [N, C, H, W] → [N, FN, OH, OW].</summary>
    public Tensor Forward(Tensor x)
    {
        (_oh, _ow) = LayerChecks.ConvolutionInput(x, W, Stride, Pad);
        int n = x.Dim(0), fn = W.Dim(0);
        _xShape = x.Shape;
        _col = F.Im2Col(x, W.Dim(2), W.Dim(3), Stride, Pad);
        using var colW = W.Reshape(fn, -1);
        using var prod = _col.MatMul(colW, transB: true);
        using var outRows = prod + B;
        using var nhwc = outRows.Reshape(n, _oh, _ow, fn);
        return nhwc.Permute(0, 3, 1, 2);
    }

    /// <summary>dout [N, FN, OH, OW] → dx [N, C, H, W]; sets DW and DB.</summary>
    public Tensor Backward(Tensor dout)
    {
        using var rows = ParamGradients(dout);
        using var colW = W.Reshape(W.Dim(0), -1);
        using var dcol = rows.MatMul(colW);
        return F.Col2Im(dcol, _xShape!, W.Dim(2), W.Dim(3), Stride, Pad);
    }

    /// <summary>dout [N, FN, OH, OW] → DW and DB, without dx (no col2im).</summary>
    public void BackwardParams(Tensor dout) => ParamGradients(dout).Dispose();

    /// <summary>Sets DB = Σ rows and DW = (colᵀ · rows)ᵀ; returns dout's rows [N·OH·OW, FN].</summary>
    private Tensor ParamGradients(Tensor dout)
    {
        var col = LayerChecks.ConvolutionDout(dout, _col, _xShape, W.Dim(0), _oh, _ow);
        using var nhwc = dout.Permute(0, 2, 3, 1);
        var rows = nhwc.Reshape(-1, W.Dim(0));
        DB = rows.Sum(0);
        using (var dwT = col.MatMul(rows, transA: true))
        using (var dw2 = dwT.T)
            DW = dw2.Reshape(W.Shape);
        return rows;
    }
}
