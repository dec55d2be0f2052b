namespace Engine.Functional;

// DLfS's im2col and col2im as autograd ops (each the other's backward), on the op table's Im2Col/Col2Im.
public static partial class F
{
    /// <summary>
    /// DLfS's im2col: x [N, C, H, W] → cols [N·OH·OW, C·KH·KW], one row per output position holding
    /// that window's values (padding reads as 0). Backward: Col2Im.
    /// </summary>
    public static Tensor Im2Col(Tensor x, int kh, int kw, int stride = 1, int padding = 0)
    {
        const string op = "Im2Col";
        CheckImage(op, x);
        var (oh, ow) = OutputSize(op, x, kh, kw, stride, padding);
        var cols = Alloc(x, ColsShape(op, x.Shape, oh, ow, kh, kw));
        x.Backend.Im2Col(x, kh, kw, stride, padding, cols);
        var shape = x.Shape;
        return Autograd.Record(cols, op, [x], g =>
        {
            var dx = Alloc(g, shape);
            g.Backend.Col2Im(g, kh, kw, stride, padding, dx);
            return [dx];
        });
    }

    /// <summary>
    /// DLfS's col2im, the adjoint of <see cref="Im2Col"/>: cols [N·OH·OW, C·KH·KW] → [N, C, H, W] of
    /// <paramref name="inputShape"/>, adding overlapping window entries. Backward: Im2Col.
    /// </summary>
    public static Tensor Col2Im(Tensor cols, int[] inputShape, int kh, int kw, int stride = 1, int padding = 0)
    {
        const string op = "Col2Im";
        cols.CheckFloat(op);
        if (inputShape.Length != 4)
            throw new ArgumentException($"{op}: expected an input shape [N, C, H, W], but got {Tensor.ShapeString(inputShape)}.");
        var (oh, ow) = OutputSize(op, inputShape, kh, kw, stride, padding);
        Tensor.CheckedSize(op, inputShape);
        int[] expected = ColsShape(op, inputShape, oh, ow, kh, kw);
        cols.CheckShape(op, expected, "cols");
        var dx = Alloc(cols, inputShape);
        cols.Backend.Col2Im(cols, kh, kw, stride, padding, dx);
        return Autograd.Record(dx, op, [cols], g =>
        {
            var dc = Alloc(g, expected);
            g.Backend.Im2Col(g, kh, kw, stride, padding, dc);
            return [dc];
        });
    }
}
