namespace Engine.Functional;

// Convolution, global average pooling and batch norm (torch.nn.functional.conv2d, batch_norm; the
// other pooling is in F.Pool.cs) on the op table's Im2Col/Col2Im, AvgPool2d and BatchNorm ops. Each is
// one autograd node whose backward runs the matching backend backward op. Layout NCHW.
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
        => Conv2dWith(input, weight, bias, stride, padding, dilation, groups, relu: false);

    /// <summary>Conv2d, then max(0, ·) with <paramref name="relu"/> (fused where the path allows, see <see cref="Conv2dRelu"/>).</summary>
    private static Tensor Conv2dWith(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation, int groups, bool relu)
    {
        const string op = "Conv2d";
        var d = dilation ?? (1, 1);
        if (stride.H <= 0 || stride.W <= 0 || d.H <= 0 || d.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"{op}: stride and dilation must be positive and padding ≥ 0, got stride {stride}, padding {padding}, dilation {d}.");
        if (groups <= 0)
            throw new ArgumentException($"{op}: groups must be positive, got {groups}.");
        if (stride.H == stride.W && padding.H == padding.W && d == (1, 1) && groups == 1)
            return ConvSimple(input, weight, bias, stride.H, padding.H, relu);
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
        return ReluAfter(ConvGeneral(input, weight, bias, stride, padding, d, groups), relu);
    }

    /// <summary>
    /// The op-table convolution: one stride and padding for both axes, no dilation, one group.
    /// Computed as Im2Col(x) [N·OH·OW, C·KH·KW] · W[F, C·KH·KW]ᵀ (+ b), then [N, OH, OW, F] → NCHW.
    /// Backward: dW = (colsᵀ·dy)ᵀ, db = Σ dy, dx = Col2Im(dy·W). On the CPU the im2col blocks and GEMMs run
    /// image by image (<see cref="CpuBackend"/>'s Conv2dForward/Conv2dBackward); other devices use the op table.
    /// </summary>
    private static Tensor ConvSimple(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, bool relu = false)
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
        if (be is CpuBackend implicitCpu && f >= CpuBackend.ImplicitMinFilters)
        {
            bool fuse = relu && !needsGrad; // the output pass applies max(0, ·) only where no backward follows
            return ReluAfter(ConvImplicit(implicitCpu, x, weight, bias, inputs, needsGrad, stride, padding, fuse), relu && !fuse);
        }
        if (relu) return ReluAfter(ConvSimple(x, weight, bias, stride, padding), true);
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

        if (!needsGrad) { cols?.Dispose(); return y; }
        var kept = cols!; // a backward follows, so the cols were made
        return Autograd.Record(y, op, inputs, g =>
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
            if (bias is not null && bias.RequiresGrad) db = g2.Sum(0);
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

    /// <summary>
    /// The CPU's implicit-GEMM convolution (CpuBackend.Conv.Implicit*.cs): y [N, F, OH, OW] straight from x, bias
    /// added, no im2col matrix kept; the backward reads x again: dx as a conv of dy with the flipped weights
    /// (stride 1) or dy·W then col2im, dW = Σ_n dy_n · im2col(x_n), db = Σ dy over N, OH, OW.
    /// </summary>
    private static Tensor ConvImplicit(CpuBackend cpu, Tensor x, Tensor weight, Tensor? bias, Tensor[] inputs, bool needsGrad, int stride, int padding, bool relu = false)
    {
        const string op = "Conv2d";
        int n = x.Dim(0), f = weight.Dim(0), kh = weight.Dim(2), kw = weight.Dim(3), k = (int)(weight.Size / Math.Max(1, f));
        var (oh, ow) = OutputSize(op, x.Shape, kh, kw, stride, padding, zeroChannels: true);
        var y = Empty(x, [n, f, oh, ow]);
        using (var w2 = ViewAs(weight, [f, k]))
            cpu.Conv2dImplicit(x, w2, bias, kh, kw, stride, padding, y, relu: relu);
        if (!needsGrad) return y;
        return Autograd.Record(y, op, inputs, g =>
        {
            Tensor? dx = x.RequiresGrad ? Empty(g, x.Shape) : null, dw = weight.RequiresGrad ? Empty(g, weight.Shape) : null, db = null;
            using (var w2 = ViewAs(weight, [f, k]))
            using (var dw2 = dw is null ? null : ViewAs(dw, [f, k]))
                cpu.Conv2dImplicitBackward(g, x, w2, kh, kw, stride, padding, dx, dw2);
            if (bias is not null && bias.RequiresGrad)
            {
                using var s3 = g.Sum(3);
                using var s2 = s3.Sum(2);
                db = s2.Sum(0);
            }
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }

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

    /// <summary>
    /// Batch normalisation (torch.nn.functional.batch_norm) of x [N, C], [N, C, L] or [N, C, H, W] per
    /// channel C. Training: normalise with the batch mean and biased variance over N and the spatial
    /// positions, and update <paramref name="runningMean"/>/<paramref name="runningVar"/> in place
    /// (r = (1−momentum)·r + momentum·batch, unbiased variance). Eval: normalise with the running stats.
    /// y = weight·x̂ + bias (weight 1 and bias 0 when null). Running stats may be null only in training.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "BatchNorm";
        x.CheckFloat(op);
        if (x.Rank is < 2 or > 4)
            throw new ArgumentException($"{op}: expected input [N, C], [N, C, L] or [N, C, H, W], but got shape {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), c = x.Dim(1);
        int s = (int)(x.Size / Math.Max(1L, (long)n * c));
        if (c == 0 || x.Size == 0)
            throw new ArgumentException($"{op}: the input {Tensor.ShapeString(x.Shape)} is empty.");
        foreach (var (t, what) in new[] { (runningMean, "running_mean"), (runningVar, "running_var"), (weight, "weight"), (bias, "bias") })
        {
            if (t is null) continue;
            Tensor.CheckSameKind(op, x, t);
            if (t.Rank != 1 || t.Dim(0) != c)
                throw new ArgumentException($"{op}: expected {what} of shape [{c}] for input {Tensor.ShapeString(x.Shape)} ({c} channels), but got {Tensor.ShapeString(t.Shape)}.");
        }
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: pass both running_mean and running_var, or neither.");
        if (!training && runningMean is null)
            throw new ArgumentException($"{op}: eval mode normalises with the running statistics, but none were given (pass running_mean and running_var, or training: true).");
        if (training && (long)n * s <= 1)
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input {Tensor.ShapeString(x.Shape)}.");
        if (eps <= 0 || !double.IsFinite(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be a positive number, got {eps}.");

        var be = x.Backend;
        var gamma = weight ?? Tensor.Full([c], 1, x.DType, x.Device);
        var beta = bias ?? Tensor.Zeros([c], x.DType, x.Device);
        var rm = runningMean ?? Tensor.Zeros([c], x.DType, x.Device);
        var rv = runningVar ?? Tensor.Full([c], 1, x.DType, x.Device);
        var saveMean = Alloc(x, [c]);
        var saveInvStd = Alloc(x, [c]);
        var y = Alloc(x, x.Shape);
        using (var x3 = ViewAs(x, [n, c, s]))
        using (var y3 = ViewAs(y, [n, c, s]))
            be.BatchNorm(x3, gamma, beta, rm, rv, training, momentum, eps, y3, saveMean, saveInvStd);
        if (runningMean is null) { rm.Dispose(); rv.Dispose(); }
        if (bias is null) beta.Dispose();

        var inputs = new List<Tensor> { x };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (!NeedsGrad([.. inputs]))
        {
            if (weight is null) gamma.Dispose();
            saveMean.Dispose();
            saveInvStd.Dispose();
            return y;
        }
        var xShape = x.Shape;
        return Autograd.Record(y, op, [.. inputs], g =>
        {
            var dx = Alloc(g, xShape);
            var dgamma = Alloc(g, [c]);
            var dbeta = Alloc(g, [c]);
            using (var x3 = ViewAs(x, [n, c, s]))
            using (var g3 = ViewAs(g, [n, c, s]))
            using (var dx3 = ViewAs(dx, [n, c, s]))
            {
                if (training) g.Backend.BatchNormBackward(x3, g3, gamma, saveMean, saveInvStd, dx3, dgamma, dbeta);
                else EvalBatchNormBackward(x3, g3, gamma, saveMean, saveInvStd, dx3,
                    weight is { RequiresGrad: true } ? dgamma : null, bias is { RequiresGrad: true } ? dbeta : null);
            }
            var grads = new List<Tensor?> { dx };
            if (weight is not null) grads.Add(dgamma); else dgamma.Dispose();
            if (bias is not null) grads.Add(dbeta); else dbeta.Dispose();
            return [.. grads];
        });
    }

    /// <summary>
    /// Eval-mode batch norm backward (statistics are constants): dx = dy·γ·invStd, and, when wanted (not null: γ or β
    /// requires grad; a frozen backbone's do not), dγ = Σ dy·x̂ and dβ = Σ dy over N and S, written with tensor ops
    /// so it runs on any device. dx is one broadcast multiply straight into dx3.
    /// </summary>
    private static void EvalBatchNormBackward(Tensor x3, Tensor g3, Tensor gamma, Tensor mean, Tensor invStd, Tensor dx3, Tensor? dgamma, Tensor? dbeta)
    {
        int c = x3.Dim(1);
        using var scope = Tensor.Scope();
        var inv = invStd.Reshape(1, c, 1);
        g3.Backend.Binary(BinaryOp.Mul, g3, gamma.Reshape(1, c, 1) * inv, dx3);
        if (dgamma is not null)
        {
            var xhat = (x3 - mean.Reshape(1, c, 1)) * inv;
            dgamma.CopyFrom((g3 * xhat).Sum(2).Sum(0));
        }
        dbeta?.CopyFrom(g3.Sum(2).Sum(0));
    }

    // ---- shared checks and helpers --------------------------------------------------------------

    /// <summary>Throws unless x is a float [N, C, H, W] tensor.</summary>
    internal static void CheckImage(string op, Tensor x)
    {
        x.CheckFloat(op);
        if (x.Rank != 4)
            throw new ArgumentException($"{op}: expected a 4-D input [N, C, H, W], but got shape {Tensor.ShapeString(x.Shape)}.");
    }

    /// <summary>Pooling padding must be at most half the window (as in PyTorch), so no window is all padding.</summary>
    internal static void CheckPoolPadding(string op, int kh, int kw, int padding) => CheckPoolPadding(op, (kh, kw), (padding, padding));

    /// <summary>Pooling padding must be at most half the window along each axis (as in PyTorch).</summary>
    internal static void CheckPoolPadding(string op, (int H, int W) kernel, (int H, int W) padding)
    {
        if (padding.H < 0 || padding.W < 0 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentException($"{op}: padding {(padding.H == padding.W ? padding.H.ToString(System.Globalization.CultureInfo.InvariantCulture) : padding.ToString())} must be ≥ 0 and at most half the window {kernel.H}×{kernel.W}.");
    }

    private static (int OH, int OW) OutputSize(string op, Tensor x, int kh, int kw, int stride, int padding) =>
        OutputSize(op, x.Shape, kh, kw, stride, padding);

    /// <summary>
    /// (OH, OW) = ((H + 2·pad − KH)/stride + 1, …), after checking the window fits the padded input. As in PyTorch,
    /// the batch may be empty, and the channels too for a convolution (<paramref name="zeroChannels"/>), but not H or W.
    /// </summary>
    internal static (int OH, int OW) OutputSize(string op, int[] shape, int kh, int kw, int stride, int padding, bool zeroChannels = false)
    {
        if (shape[2] == 0 || shape[3] == 0 || (shape[1] == 0 && !zeroChannels))
            throw new ArgumentException($"{op}: only zero batch{(zeroChannels ? " or zero channel" : "")} inputs are supported, but got input shape {Tensor.ShapeString(shape)}.");
        if (kh <= 0 || kw <= 0)
            throw new ArgumentException($"{op}: the kernel size must be positive, got {kh}×{kw}.");
        if (stride <= 0)
            throw new ArgumentException($"{op}: stride must be positive, got {stride}.");
        if (padding < 0)
            throw new ArgumentException($"{op}: padding must be ≥ 0, got {padding}.");
        // In 64 bits: a padding near int.MaxValue must not wrap the padded size.
        long h = shape[2] + 2L * padding, w = shape[3] + 2L * padding;
        // The backends index the padded image with ints: row·stride − padding + ky stays within ±(H + 2·padding).
        if (h > int.MaxValue || w > int.MaxValue)
            throw new ArgumentException($"{op}: the padded input {h}×{w} (input {Tensor.ShapeString(shape)}, padding {padding}) is larger than {int.MaxValue} per side.");
        if (kh > h || kw > w)
            throw new ArgumentException($"{op}: kernel {kh}×{kw} is larger than the padded input {h}×{w} (input {Tensor.ShapeString(shape)}, padding {padding}).");
        long oh = (h - kh) / stride + 1, ow = (w - kw) / stride + 1;
        if (oh > Tensor.MaxElements || ow > Tensor.MaxElements || oh * ow > Tensor.MaxElements)
            throw new ArgumentException($"{op}: the output would be {oh}×{ow} per channel (input {Tensor.ShapeString(shape)}, kernel {kh}×{kw}, stride {stride}, padding {padding}), more than one tensor can hold.");
        return ((int)oh, (int)ow);
    }

    /// <summary>
    /// The im2col matrix shape [N·OH·OW, C·KH·KW] for input <paramref name="shape"/>, each product checked in
    /// 64 bits so a huge padding or kernel is an error naming <paramref name="op"/>, never a wrapped size.
    /// </summary>
    internal static int[] ColsShape(string op, int[] shape, int oh, int ow, int kh, int kw)
    {
        long rows = (long)shape[0] * oh * ow, cols = (long)shape[1] * kh * kw;
        if (rows > Tensor.MaxElements || cols > Tensor.MaxElements)
            throw new ArgumentException($"{op}: the im2col matrix would be [{rows}, {cols}] (input {Tensor.ShapeString(shape)}, kernel {kh}×{kw}, output {oh}×{ow}), more than one tensor can hold.");
        int[] colsShape = [(int)rows, (int)cols];
        Tensor.CheckedSize(op, colsShape);
        return colsShape;
    }

    /// <summary>A new zero tensor of t's dtype and device.</summary>
    private static Tensor Alloc(Tensor t, int[] shape) => Tensor.Zeros(shape, t.DType, t.Device);

    /// <summary>A new tensor of t's dtype and device with unspecified contents, for a buffer the next backend op overwrites entirely.</summary>
    private static Tensor Empty(Tensor t, int[] shape) => Tensor.Empty(shape, t.DType, t.Device);

    /// <summary>The same storage seen with another shape, outside the graph (for handing backend ops the shapes they expect).</summary>
    private static Tensor ViewAs(Tensor t, int[] shape)
    {
        t.Storage.Retain();
        return new Tensor(t.Storage, shape);
    }

    /// <summary>True when a node would be recorded: autograd on and some input requires grad.</summary>
    private static bool NeedsGrad(Tensor[] inputs) => Autograd.IsEnabled && inputs.Any(t => t.RequiresGrad);
}
