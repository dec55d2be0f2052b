namespace Engine.Functional;

// The CPU's implicit-GEMM convolution behind F.Conv2d (CpuBackend.Conv.Implicit*.cs) and the conv bias gradient.
public static partial class F
{
    /// <summary>
    /// Filters from which a conv whose input needs no gradient (a first layer, or no backward at all) takes the implicit
    /// GEMM on the CPU: its 8-filter A strips are full, and the im2col path would keep the whole im2col matrix
    /// [N·OH·OW, C·KH·KW] only for dW, where the implicit backward reads x again.
    /// </summary>
    internal const int ImplicitMinFiltersWithoutDx = 16;

    /// <summary>
    /// Whether F.Conv2d on the CPU takes the implicit GEMM for <paramref name="filters"/> filters: from
    /// <see cref="CpuBackend.ImplicitMinFilters"/>, or from <see cref="ImplicitMinFiltersWithoutDx"/> when no input
    /// gradient is wanted (the implicit dx of a conv with few filters gathers many times the windows it multiplies).
    /// </summary>
    internal static bool ConvTakesImplicit(int filters, bool needsDx) =>
        filters >= CpuBackend.ImplicitMinFilters || (!needsDx && filters >= ImplicitMinFiltersWithoutDx);

    /// <summary>
    /// The CPU's implicit-GEMM convolution (CpuBackend.Conv.Implicit*.cs): y [N, F, OH, OW] straight from x, bias
    /// added (then the residual and max(0, ·) when asked, only without a backward), no im2col matrix kept; the backward reads x again: dx as a conv of dy with the flipped weights
    /// (stride 1) or dy·W then col2im, dW = Σ_n dy_n · im2col(x_n), db = Σ dy over N, OH, OW.
    /// </summary>
    private static Tensor ConvImplicit(CpuBackend cpu, Tensor x, Tensor weight, Tensor? bias, Tensor[] inputs, bool needsGrad, int stride, int padding, bool relu,
        Tensor? residual)
    {
        const string op = "Conv2d";
        int n = x.Dim(0), f = weight.Dim(0), kh = weight.Dim(2), kw = weight.Dim(3), k = (int)(weight.Size / Math.Max(1, f));
        var (oh, ow) = OutputSize(op, x.Shape, kh, kw, stride, padding, zeroChannels: true);
        var y = Empty(x, [n, f, oh, ow]);
        using (var w2 = ViewAs(weight, [f, k]))
            cpu.Conv2dImplicit(x, w2, bias, kh, kw, stride, padding, y, relu: relu, residual: residual);
        if (!needsGrad) return y;
        return Autograd.Record(y, op, inputs, g =>
        {
            Tensor? dx = x.RequiresGrad ? Empty(g, x.Shape) : null, dw = weight.RequiresGrad ? Empty(g, weight.Shape) : null, db = null;
            using (var w2 = ViewAs(weight, [f, k]))
            using (var dw2 = dw is null ? null : ViewAs(dw, [f, k]))
                cpu.Conv2dImplicitBackward(g, x, w2, kh, kw, stride, padding, dx, dw2);
            if (bias is not null && bias.RequiresGrad) db = ConvBiasGrad(cpu, g);
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>db [F] = Σ g over N, OH, OW for the conv output gradient g [N, F, OH, OW], in one pass (<see cref="CpuBackend.ConvBiasGrad"/>).</summary>
    private static Tensor ConvBiasGrad(CpuBackend cpu, Tensor g)
    {
        var db = Empty(g, [g.Dim(1)]);
        cpu.ConvBiasGrad(g, db);
        return db;
    }
}
