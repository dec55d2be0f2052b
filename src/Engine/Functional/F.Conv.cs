namespace Engine.Functional;

// Convolution (torch.nn.functional.conv2d) on the op table's Im2Col and GEMM: one autograd node whose backward
// runs dW = dyᵀ·cols, db = Σ dy and dx = Col2Im(dy·W); the CPU's image-by-image and implicit-GEMM paths
// (F.ConvImplicit.cs) make the same products in a cache-friendlier order. Layout NCHW.
public static partial class F
{
    /// <summary>
    /// 2-D convolution (cross-correlation), torch.nn.functional.conv2d(input, weight, bias=None, stride=1,
    /// padding=0, dilation=1, groups=1): x [N, C, H, W], weight [F, C/groups, KH, KW], bias [F] or null →
    /// y [N, F, OH, OW], OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1)/stride⌋ + 1. The common geometry (one
    /// stride and padding for both axes, no dilation) runs the backend's Im2Col and GEMM — one batched GEMM
    /// over the groups when groups &gt; 1 (F.ConvGrouped.cs); unequal pairs and dilation are exact
    /// compositions of it (F.Window.cs).
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with (h, w) stride, padding and dilation (torch.nn.functional.conv2d with tuples).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation = null, int groups = 1)
        => Conv2dWith(input, weight, bias, stride, padding, dilation, groups, residual: null, relu: false);

    /// <summary>
    /// Conv2d, then + <paramref name="residual"/> (when given) and max(0, ·) with <paramref name="relu"/> (fused where
    /// the path allows, see <see cref="Conv2dAddRelu"/>).
    /// </summary>
    private static Tensor Conv2dWith(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation, int groups,
        Tensor? residual, bool relu)
    {
        const string op = "Conv2d";
        var d = dilation ?? (1, 1);
        if (stride.H <= 0 || stride.W <= 0 || d.H <= 0 || d.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"{op}: stride and dilation must be positive and padding ≥ 0, got stride {stride}, padding {padding}, dilation {d}.");
        if (groups <= 0)
            throw new ArgumentException($"{op}: groups must be positive, got {groups}.");
        if (stride.H == stride.W && padding.H == padding.W && d == (1, 1) && groups == 1)
            return ConvSimple(input, weight, bias, stride.H, padding.H, residual, relu);
        CheckImage(op, input);
        Tensor.CheckSameKind(op, input, weight);
        if (weight.Rank != 4)
            throw new ArgumentException($"{op}: expected a 4-D weight [out_channels, in_channels/groups, KH, KW], but got shape {Tensor.ShapeString(weight.Shape)}.");
        if (input.Dim(1) % groups != 0 || weight.Dim(0) % groups != 0)
            throw new ArgumentException($"{op}: in_channels ({input.Dim(1)}) and out_channels ({weight.Dim(0)}) must both be divisible by groups ({groups}).");
        if (weight.Dim(1) * groups != input.Dim(1))
            throw new ArgumentException($"{op}: the input has {input.Dim(1)} channels (shape {Tensor.ShapeString(input.Shape)}) but the weight {Tensor.ShapeString(weight.Shape)} with groups={groups} expects {weight.Dim(1) * groups}.");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != weight.Dim(0)))
            throw new ArgumentException($"{op}: expected a bias of shape [{weight.Dim(0)}] for weight {Tensor.ShapeString(weight.Shape)}, but got {Tensor.ShapeString(bias.Shape)}.");
        PoolOutputSize(op, input.Shape, (weight.Dim(2), weight.Dim(3)), stride, padding, d, ceilMode: false);
        return ConvAfter(ConvGeneral(input, weight, bias, stride, padding, d, groups), residual, relu);
    }

    /// <summary>
    /// The op-table convolution: one stride and padding for both axes, no dilation, one group.
    /// Computed as Im2Col(x) [N·OH·OW, C·KH·KW] · W[F, C·KH·KW]ᵀ (+ b), then [N, OH, OW, F] → NCHW.
    /// Backward: dW = (colsᵀ·dy)ᵀ, db = Σ dy, dx = Col2Im(dy·W). On the CPU the im2col blocks and GEMMs run
    /// image by image (<see cref="CpuBackend"/>'s Conv2dForward/Conv2dBackward); other devices use the op table.
    /// </summary>
    private static Tensor ConvSimple(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, Tensor? residual = null, bool relu = false)
    {
        const string op = "Conv2d";
        CheckImage(op, x);
        Tensor.CheckSameKind(op, x, weight);
        if (weight.Rank != 4)
            throw new ArgumentException($"{op}: expected a 4-D weight [out_channels, in_channels, KH, KW], but got shape {Tensor.ShapeString(weight.Shape)}.");
        int n = x.Dim(0), c = x.Dim(1), f = weight.Dim(0), kh = weight.Dim(2), kw = weight.Dim(3);
        if (weight.Dim(1) != c)
            throw new ArgumentException($"{op}: the input has {c} channels (shape {Tensor.ShapeString(x.Shape)}) but the weight {Tensor.ShapeString(weight.Shape)} expects {weight.Dim(1)}.");
        if (bias is not null)
        {
            Tensor.CheckSameKind(op, x, bias);
            if (bias.Rank != 1 || bias.Dim(0) != f)
                throw new ArgumentException($"{op}: expected a bias of shape [{f}] for weight {Tensor.ShapeString(weight.Shape)}, but got {Tensor.ShapeString(bias.Shape)}.");
        }
        var (oh, ow) = OutputSize(op, x.Shape, kh, kw, stride, padding, zeroChannels: true);
        int[] colsShape = ColsShape(op, x.Shape, oh, ow, kh, kw);
        int m = colsShape[0], k = colsShape[1];
        Tensor.CheckedSize(op, [n, f, oh, ow]);
        var be = x.Backend;

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        bool needsGrad = NeedsGrad(inputs);
        if (be is CpuBackend implicitCpu && ConvTakesImplicit(f, needsDx: needsGrad && x.RequiresGrad))
        {
            // The output pass adds the residual and applies max(0, ·) only where no backward follows.
            bool fuseAdd = residual is not null && !needsGrad && FitsOutput(residual, x, [n, f, oh, ow]);
            bool fuse = relu && !needsGrad && (residual is null || fuseAdd);
            var yi = ConvImplicit(implicitCpu, x, weight, bias, inputs, needsGrad, stride, padding, fuse, fuseAdd ? residual : null);
            return ConvAfter(yi, fuseAdd ? null : residual, relu && !fuse);
        }
        // The CPU keeps the im2col rows only for a backward; other devices always make them.
        var cols = needsGrad || be is not CpuBackend ? Empty(x, [m, k]) : null;
        var y2 = Empty(x, [m, f]);
        using (var w2 = ViewAs(weight, [f, k]))
        {
            // On the CPU, image by image (each image's cols still in cache for its GEMM); elsewhere the op table.
            if (be is CpuBackend cpu) cpu.Conv2dForward(x, w2, kh, kw, stride, padding, cols, y2);
            else
            {
                be.Im2Col(x, kh, kw, stride, padding, cols!); // made above for every non-CPU device
                be.MatMul(cols!, w2, y2, transB: true);
            }
        }
        var y = Empty(x, [n, f, oh, ow]);
        // On the CPU the bias add and the NHWC → NCHW transpose are one pass; elsewhere Add, then Permute.
        if (be is CpuBackend cpuOut) cpuOut.Conv2dOutput(y2, bias, y);
        else
        {
            if (bias is not null) be.Binary(BinaryOp.Add, y2, bias, y2);
            using var y4 = ViewAs(y2, [n, oh, ow, f]);
            be.Permute(y4, [0, 3, 1, 2], y);
        }
        y2.Dispose();

        if (!needsGrad) { cols?.Dispose(); return ConvAfter(y, residual, relu); }
        var kept = cols!; // a backward follows, so the cols were made
        return ConvAfter(Autograd.Record(y, op, inputs, g =>
        {
            using var g4 = Empty(g, [n, oh, ow, f]);
            g.Backend.Permute(g, [0, 2, 3, 1], g4);
            using var g2 = ViewAs(g4, [m, f]);
            Tensor? dx = x.RequiresGrad ? Empty(g, x.Shape) : null, dw = null, db = null;
            // dWᵀ = colsᵀ·dy [C·KH·KW, F], then transposed: a GEMM whose shared dimension is the long
            // N·OH·OW axis and whose rows are the wide C·KH·KW side (rather than dyᵀ·cols [F, C·KH·KW]).
            using var dwT = weight.RequiresGrad ? Empty(g, [k, f]) : null;
            using (var w2 = ViewAs(weight, [f, k]))
            {
                // On the CPU dx and dWᵀ are made image by image (CpuBackend.Conv2dBackward); elsewhere by the op table.
                if (g.Backend is CpuBackend cpu) cpu.Conv2dBackward(g2, w2, kept, kh, kw, stride, padding, x.Shape, dx, dwT);
                else
                {
                    if (dx is not null)
                    {
                        using var dcols = Empty(g, [m, k]);
                        g.Backend.MatMul(g2, w2, dcols);
                        g.Backend.Col2Im(dcols, kh, kw, stride, padding, dx);
                    }
                    if (dwT is not null) g.Backend.MatMul(kept, g2, dwT, transA: true);
                }
            }
            if (dwT is not null)
            {
                dw = Empty(g, weight.Shape);
                using var dw2 = ViewAs(dw, [f, k]);
                g.Backend.Permute(dwT, [1, 0], dw2);
            }
            if (bias is not null && bias.RequiresGrad) db = g.Backend is CpuBackend gc ? ConvBiasGrad(gc, g) : g2.Sum(0);
            return bias is null ? [dx, dw] : [dx, dw, db];
        }), residual, relu);
    }
}
