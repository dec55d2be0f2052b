namespace Engine.Functional;

// Grouped convolution (conv2d with groups > 1, depthwise when groups = in_channels) on the op table:
// one Im2Col, then one batched GEMM over the groups. Layout NCHW.
public static partial class F
{
    /// <summary>
    /// x [N, C, H, W], weight [F, C/G, KH, KW], bias [F] or null, one stride and padding → y [N, F, OH, OW].
    /// cols = Im2Col(x) [M, C·KH·KW] holds each group's columns as one contiguous block (channel-major), so
    /// cols viewed [M, G, Kg] and permuted to [G, M, Kg] times the weight viewed [G, Fg, Kg] (transposed) is a
    /// batched GEMM giving [G, M, Fg] → [M, G, Fg] = [M, F]. Backward per group: dcols = dy·W (then Col2Im),
    /// dW = dyᵀ·cols, db = Σ dy — the same batched GEMMs.
    /// </summary>
    private static Tensor ConvGrouped(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, int groups)
    {
        int n = x.Dim(0), c = x.Dim(1), f = weight.Dim(0), kh = weight.Dim(2), kw = weight.Dim(3);
        var (oh, ow) = OutputSize("Conv2d", x, kh, kw, stride, padding);
        int m = checked(n * oh * ow), kg = c / groups * kh * kw, fg = f / groups;
        var be = x.Backend;
        var colsG = Empty(x, [groups, m, kg]);
        using (var cols = Empty(x, [m, groups * kg]))
        {
            be.Im2Col(x, kh, kw, stride, padding, cols);
            using var cols3 = ViewAs(cols, [m, groups, kg]);
            be.Permute(cols3, [1, 0, 2], colsG);
        }
        var y2 = Empty(x, [m, f]);
        using (var w3 = ViewAs(weight, [groups, fg, kg]))
        using (var yG = Empty(x, [groups, m, fg]))
        using (var y3 = ViewAs(y2, [m, groups, fg]))
        {
            be.MatMul(colsG, w3, yG, transB: true);
            be.Permute(yG, [1, 0, 2], y3);
        }
        if (bias is not null) be.Binary(BinaryOp.Add, y2, bias, y2);
        var y = Empty(x, [n, f, oh, ow]);
        using (var y4 = ViewAs(y2, [n, oh, ow, f])) be.Permute(y4, [0, 3, 1, 2], y);
        y2.Dispose();

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        if (!NeedsGrad(inputs)) { colsG.Dispose(); return y; }
        var xShape = x.Shape;
        return Autograd.Record(y, "Conv2d", inputs, g =>
        {
            var gb = g.Backend;
            using var g4 = Empty(g, [n, oh, ow, f]);
            gb.Permute(g, [0, 2, 3, 1], g4);
            using var g3 = ViewAs(g4, [m, groups, fg]);
            using var gG = Empty(g, [groups, m, fg]);
            gb.Permute(g3, [1, 0, 2], gG);
            using var w3 = ViewAs(weight, [groups, fg, kg]);
            Tensor? dx = null, dw = null, db = null;
            if (x.RequiresGrad)
            {
                using var dcolsG = Empty(g, [groups, m, kg]);
                gb.MatMul(gG, w3, dcolsG);
                using var dcols = Empty(g, [m, groups * kg]);
                using (var dcols3 = ViewAs(dcols, [m, groups, kg])) gb.Permute(dcolsG, [1, 0, 2], dcols3);
                dx = Empty(g, xShape);
                gb.Col2Im(dcols, kh, kw, stride, padding, dx);
            }
            if (weight.RequiresGrad)
            {
                dw = Empty(g, weight.Shape);
                using var dw3 = ViewAs(dw, [groups, fg, kg]);
                gb.MatMul(gG, colsG, dw3, transA: true);
            }
            if (bias is not null && bias.RequiresGrad)
            {
                using var g2 = ViewAs(g4, [m, f]);
                db = g2.Sum(0);
            }
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }
}
