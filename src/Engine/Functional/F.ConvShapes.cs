namespace Engine.Functional;

// Checks and helpers shared by the conv, pooling and batch-norm ops: image and padding checks, output and im2col
// sizes (checked in 64 bits), buffers of an input's dtype and device, views outside the graph.
public static partial class F
{
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
