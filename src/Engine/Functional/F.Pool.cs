namespace Engine.Functional;

// Pooling (torch.nn.functional.max_pool2d, avg_pool2d, adaptive_avg_pool2d(x, 1)) on the op table's
// MaxPool2d / AvgPool2d ops where the geometry is theirs (one stride and padding, floor mode), and as
// exact compositions (F.Window.cs) for the rest. Layout NCHW.
public static partial class F
{
    /// <summary>
    /// Max pooling, torch.nn.functional.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1,
    /// ceil_mode=False): x [N, C, H, W] → [N, C, OH, OW], the largest value of each window (taps dilation
    /// apart); stride defaults to the window; padding (at most half the window) never wins the max.
    /// Backward: each output gradient goes to the first maximum of its window.
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPool2d(input, (kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), (dilation, dilation), ceilMode);

    /// <summary>Max pooling with (h, w) kernel, stride, padding and dilation (max_pool2d with tuples).</summary>
    public static Tensor MaxPool2d(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default,
        (int H, int W)? dilation = null, bool ceilMode = false)
    {
        const string op = "MaxPool2d";
        CheckImage(op, input);
        var s = stride ?? kernelSize;
        var d = dilation ?? (1, 1);
        CheckPoolPadding(op, kernelSize, padding);
        var (oh, ow) = PoolOutputSize(op, input.Shape, kernelSize, s, padding, d, ceilMode);
        bool opGeometry = s.H == s.W && padding.H == padding.W && d == (1, 1)
            && oh == (input.Dim(2) + 2 * padding.H - kernelSize.H) / s.H + 1 && ow == (input.Dim(3) + 2 * padding.W - kernelSize.W) / s.W + 1;
        return opGeometry ? MaxPoolOp(input, kernelSize.H, kernelSize.W, s.H, padding.H) : MaxPoolByTaps(input, kernelSize, s, padding, d, oh, ow);
    }

    /// <summary>The op-table max pooling (one stride and padding, floor mode): backend MaxPool2d with argmax, MaxPool2dBackward; without a gradient on the CPU, the values alone.</summary>
    private static Tensor MaxPoolOp(Tensor x, int kh, int kw, int stride, int padding)
    {
        const string op = "MaxPool2d";
        var (oh, ow) = OutputSize(op, x, kh, kw, stride, padding);
        int[] shape = [x.Dim(0), x.Dim(1), oh, ow];
        // Outputs the pool ops overwrite entirely (every window has a maximum; the backward clears dx first).
        var y = Empty(x, shape);
        if (!NeedsGrad([x]) && x.Backend is CpuBackend cpu)
        {
            cpu.MaxPool2dValues(x, kh, kw, stride, padding, y); // the values alone: no argmax for a backward that will not run
            return y;
        }
        var argmax = Tensor.Empty(shape, DType.Int32, x.Device);
        x.Backend.MaxPool2d(x, kh, kw, stride, padding, y, argmax);
        if (!NeedsGrad([x])) { argmax.Dispose(); return y; }
        var xShape = x.Shape;
        return Autograd.Record(y, op, [x], g =>
        {
            var dx = Empty(g, xShape);
            g.Backend.MaxPool2dBackward(g, argmax, dx);
            return [dx];
        });
    }

    /// <summary>
    /// Average pooling, torch.nn.functional.avg_pool2d(input, kernel_size, stride=None, padding=0,
    /// ceil_mode=False, count_include_pad=True, divisor_override=None): x [N, C, H, W] → [N, C, OH, OW],
    /// each output the window sum divided by divisor_override, or by the window size counting padding
    /// (count_include_pad) or only the input cells it covers.
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPool2d(input, (kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), ceilMode, countIncludePad, divisorOverride);

    /// <summary>Average pooling with (h, w) kernel, stride and padding (avg_pool2d with tuples).</summary>
    public static Tensor AvgPool2d(Tensor input, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    {
        const string op = "AvgPool2d";
        CheckImage(op, input);
        var s = stride ?? kernelSize;
        CheckPoolPadding(op, kernelSize, padding);
        if (divisorOverride is <= 0)
            throw new ArgumentException($"{op}: divisor_override must be positive, got {divisorOverride}.");
        var (oh, ow) = PoolOutputSize(op, input.Shape, kernelSize, s, padding, (1, 1), ceilMode);
        bool opGeometry = s.H == s.W && padding.H == padding.W
            && oh == (input.Dim(2) + 2 * padding.H - kernelSize.H) / s.H + 1 && ow == (input.Dim(3) + 2 * padding.W - kernelSize.W) / s.W + 1
            && (countIncludePad || padding.H == 0) && (divisorOverride is null || divisorOverride == kernelSize.H * kernelSize.W);
        return opGeometry ? AvgPoolOp(input, kernelSize.H, kernelSize.W, s.H, padding.H)
            : AvgPoolByTaps(input, kernelSize, s, padding, oh, ow, countIncludePad, divisorOverride);
    }

    /// <summary>The op-table average pooling (one stride and padding, floor mode, ÷ KH·KW): backend AvgPool2d and its backward.</summary>
    private static Tensor AvgPoolOp(Tensor x, int kh, int kw, int stride, int padding)
    {
        const string op = "AvgPool2d";
        var (oh, ow) = OutputSize(op, x, kh, kw, stride, padding);
        var y = Alloc(x, [x.Dim(0), x.Dim(1), oh, ow]);
        x.Backend.AvgPool2d(x, kh, kw, stride, padding, y);
        var xShape = x.Shape;
        return Autograd.Record(y, op, [x], g =>
        {
            var dx = Alloc(g, xShape);
            g.Backend.AvgPool2dBackward(g, kh, kw, stride, padding, dx);
            return [dx];
        });
    }

    /// <summary>
    /// Global average pooling (Keras GlobalAveragePooling2D; torch adaptive_avg_pool2d(x, 1) then
    /// flatten): x [N, C, H, W] → [N, C] (or [N, C, 1, 1] with <paramref name="keepDim"/>), the mean of each
    /// channel plane; one AvgPool2d with an H×W window.
    /// </summary>
    public static Tensor GlobalAvgPool2d(Tensor x, bool keepDim = false)
    {
        const string op = "GlobalAvgPool2d";
        CheckImage(op, x);
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        if (h == 0 || w == 0)
            throw new ArgumentException($"{op}: the input {Tensor.ShapeString(x.Shape)} has an empty plane.");
        var y = Alloc(x, keepDim ? [n, c, 1, 1] : [n, c]);
        using (var y4 = ViewAs(y, [n, c, 1, 1])) x.Backend.AvgPool2d(x, h, w, 1, 0, y4);
        var xShape = x.Shape;
        return Autograd.Record(y, op, [x], g =>
        {
            var dx = Alloc(g, xShape);
            using var g4 = ViewAs(g, [n, c, 1, 1]);
            g.Backend.AvgPool2dBackward(g4, h, w, 1, 0, dx);
            return [dx];
        });
    }

}
