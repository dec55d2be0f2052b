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
        w.CheckFloat("Convolution");
        if (w.Rank != 4)
            throw new ArgumentException($"Convolution: W must be 4-D [FN, C, FH, FW], but got shape {Tensor.ShapeString(w.Shape)}.");
        if (b.Rank != 1 || b.Dim(0) != w.Dim(0))
            throw new ArgumentException($"Convolution: b must have shape [{w.Dim(0)}] to match W {Tensor.ShapeString(w.Shape)}, but got {Tensor.ShapeString(b.Shape)}.");
        if (stride <= 0 || pad < 0)
            throw new ArgumentException($"Convolution: stride must be positive and pad ≥ 0, got stride {stride}, pad {pad}.");
        Tensor.CheckSameKind("Convolution", w, b);
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
        const string op = "Convolution.Forward";
        F.CheckImage(op, x);
        Tensor.CheckSameKind(op, x, W);
        int n = x.Dim(0), fn = W.Dim(0), fh = W.Dim(2), fw = W.Dim(3);
        if (x.Dim(1) != W.Dim(1))
            throw new ArgumentException($"{op}: the input has {x.Dim(1)} channels (shape {Tensor.ShapeString(x.Shape)}) but W {Tensor.ShapeString(W.Shape)} expects {W.Dim(1)}.");
        (_oh, _ow) = F.OutputSize(op, x.Shape, fh, fw, Stride, Pad);
        F.ColsShape(op, x.Shape, _oh, _ow, fh, fw);
        _xShape = x.Shape;
        _col = F.Im2Col(x, fh, fw, Stride, Pad);
        using var colW = W.Reshape(fn, -1);
        using var prod = _col.MatMul(colW, transB: true);
        using var outRows = prod + B;
        using var nhwc = outRows.Reshape(n, _oh, _ow, fn);
        return nhwc.Permute(0, 3, 1, 2);
    }

    /// <summary>dout [N, FN, OH, OW] → dx [N, C, H, W]; sets DW and DB.</summary>
    public Tensor Backward(Tensor dout)
    {
        const string op = "Convolution.Backward";
        if (_col is null || _xShape is null) throw new InvalidOperationException($"{op}: call Forward first (the layer has no cached input yet).");
        int fn = W.Dim(0);
        dout.CheckShape(op, [_xShape[0], fn, _oh, _ow], "dout (the forward output's shape)");
        using var nhwc = dout.Permute(0, 2, 3, 1);
        using var rows = nhwc.Reshape(-1, fn);
        DB = rows.Sum(0);
        using (var dwT = _col.MatMul(rows, transA: true))
        using (var dw2 = dwT.T)
            DW = dw2.Reshape(W.Shape);
        using var colW = W.Reshape(fn, -1);
        using var dcol = rows.MatMul(colW);
        return F.Col2Im(dcol, _xShape, W.Dim(2), W.Dim(3), Stride, Pad);
    }
}
