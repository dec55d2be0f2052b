using Engine.Functional;

namespace Engine.IO.Onnx;

// Conv, MaxPool, AveragePool, GlobalAveragePool and BatchNormalization on NCHW images, mapped onto
// the engine's F.Conv2d / F.MaxPool2d / F.AvgPool2d (one stride, symmetric padding):
// - pads [begin, end] that read the same windows as [begin, begin] are passed as that padding (AsSymmetric);
//   other asymmetric pads, auto_pad SAME_* and ceil_mode become an explicit F.Pad2d (zeros, or −∞ for max);
// - dilation and groups go to F.Conv2d (dilated kernel; one batched GEMM over the groups).
internal static partial class OnnxOps
{
    private static Tensor Conv(OnnxContext c, Tensor x, Tensor w, Tensor? b)
    {
        var node = c.Node;
        Need4d(node, x, "input");
        Need4d(node, w, "weight");
        int kh = w.Dim(2), kw = w.Dim(3);
        var ks = node.Ints("kernel_shape");
        if (ks is not null && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
            throw new InvalidDataException($"ONNX: {node.Where}: kernel_shape [{string.Join(", ", ks)}] does not match the weight {Tensor.ShapeString(w.Shape)}.");
        var (sh, sw) = Pair(node, "strides", 1);
        var (dh, dw) = Pair(node, "dilations", 1);
        int stride = SameStride(node, sh, sw);
        int spanH = (kh - 1) * dh + 1, spanW = (kw - 1) * dw + 1;
        var (pt, pl, pb, pr) = Pads(node, x.Dim(2), x.Dim(3), spanH, spanW, sh, sw);
        bool symmetric = pt == pl && AsSymmetric(x.Dim(2), spanH, stride, pt, pb) && AsSymmetric(x.Dim(3), spanW, stride, pl, pr);

        int groups = (int)node.Int("group", 1);
        int ch = Channels(x), f = w.Dim(0);
        if (groups < 1 || ch % groups != 0 || f % groups != 0 || w.Dim(1) != ch / groups)
            throw new InvalidDataException($"ONNX: {node.Where}: group {groups} does not fit input channels {ch} and weight {Tensor.ShapeString(w.Shape)} (expected [F, C/group, KH, KW] with C and F divisible by group).");
        if (symmetric && groups == 1 && dh == dw && c.Blocked?.Conv(node, x, w, b, stride, pt, dh, c.Residual, c.FuseRelu) is { } blocked) return blocked;
        x = Nchw(x);
        int pad = symmetric ? pt : 0;
        if (!symmetric) x = F.Pad2d(x, pt, pb, pl, pr);
        var residual = c.Residual is null ? null : Nchw(c.Residual);
        if (residual is not null) return F.Conv2dAddRelu(x, w, b, (stride, stride), (pad, pad), (dh, dw), groups, residual, c.FuseRelu);
        return c.FuseRelu ? F.Conv2dRelu(x, w, b, (stride, stride), (pad, pad), (dh, dw), groups)
            : F.Conv2d(x, w, b, (stride, stride), (pad, pad), (dh, dw), groups);
    }

    private static Tensor MaxPool(OnnxContext c, Tensor x)
    {
        var node = c.Node;
        Need4d(node, x, "input");
        var (kh, kw) = Kernel(node);
        var (dh, dw) = Pair(node, "dilations", 1);
        if (dh != 1 || dw != 1) throw new NotSupportedException($"ONNX: {node.Where}: dilated max pooling is not supported.");
        var (sh, sw) = Pair(node, "strides", 1);
        int stride = SameStride(node, sh, sw);
        var (pt, pl, pb, pr) = Pads(node, x.Dim(2), x.Dim(3), kh, kw, sh, sw);
        bool ceil = node.Int("ceil_mode", 0) != 0;
        if (!ceil && pt == pl && pt <= kh / 2 && pt <= kw / 2 && AsSymmetric(x.Dim(2), kh, stride, pt, pb) && AsSymmetric(x.Dim(3), kw, stride, pl, pr))
        {
            return Nchwc.IsBlocked(x) ? Nchwc.MaxPool(x, kh, kw, stride, pt) : F.MaxPool2d(x, (kh, kw), (stride, stride), (pt, pt));
        }
        x = Nchw(x);
        int oh = PoolSize(x.Dim(2), kh, stride, pt, pb, ceil), ow = PoolSize(x.Dim(3), kw, stride, pl, pr, ceil);
        // Padding with −∞ never wins a max; the bottom/right pad is what makes exactly OH×OW windows.
        int pbEff = Math.Max(0, (oh - 1) * stride + kh - x.Dim(2) - pt), prEff = Math.Max(0, (ow - 1) * stride + kw - x.Dim(3) - pl);
        var xp = F.Pad2d(x, pt, pbEff, pl, prEff, double.NegativeInfinity);
        return F.MaxPool2d(xp, (kh, kw), (stride, stride));
    }

    private static Tensor AveragePool(OnnxContext c, Tensor x)
    {
        var node = c.Node;
        Need4d(node, x, "input");
        var (kh, kw) = Kernel(node);
        var (dh, dw) = Pair(node, "dilations", 1);
        if (dh != 1 || dw != 1) throw new NotSupportedException($"ONNX: {node.Where}: dilated average pooling is not supported.");
        var (sh, sw) = Pair(node, "strides", 1);
        int stride = SameStride(node, sh, sw);
        int h = x.Dim(2), wd = x.Dim(3);
        var (pt, pl, pb, pr) = Pads(node, h, wd, kh, kw, sh, sw);
        bool ceil = node.Int("ceil_mode", 0) != 0, includePad = node.Int("count_include_pad", 0) != 0;
        int oh = PoolSize(h, kh, stride, pt, pb, ceil), ow = PoolSize(wd, kw, stride, pl, pr, ceil);
        bool noPad = pt == 0 && pb == 0 && pl == 0 && pr == 0;
        if (!ceil && noPad) return Nchwc.IsBlocked(x) ? Nchwc.AvgPool(x, kh, kw, stride) : F.AvgPool2d(x, (kh, kw), (stride, stride));
        x = Nchw(x);
        if (!ceil && includePad && pt == pb && pl == pr && pt == pl && pt <= kh / 2 && pt <= kw / 2)
            return F.AvgPool2d(x, (kh, kw), (stride, stride), (pt, pt), countIncludePad: true);
        // General case: window sums over a zero-padded input, divided per window by how many
        // elements count (the real ones; with count_include_pad also the explicit pads).
        int pbEff = Math.Max(0, (oh - 1) * stride + kh - h - pt), prEff = Math.Max(0, (ow - 1) * stride + kw - wd - pl);
        var sums = F.AvgPool2d(F.Pad2d(x, pt, pbEff, pl, prEff), (kh, kw), (stride, stride)) * (kh * kw);
        var count = new double[oh * ow];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
                count[i * ow + j] = Covered(i * stride - pt, kh, h, pb, includePad) * Covered(j * stride - pl, kw, wd, pr, includePad);
        var divisor = Tensor.FromDoubles(count, [1, 1, oh, ow], x.DType, x.Device);
        return sums / divisor;
    }

    /// <summary>How many positions of the window [start, start+k) count along one axis of size n with end pad padEnd.</summary>
    private static int Covered(int start, int k, int n, int padEnd, bool includePad)
    {
        if (includePad) return Math.Min(start + k, n + padEnd) - start;
        return Math.Min(start + k, n) - Math.Max(start, 0);
    }

    private static Tensor GlobalAveragePool(OnnxContext c, Tensor x)
    {
        Need4d(c.Node, x, "input");
        return Nchwc.IsBlocked(x) ? Nchwc.AvgPool(x, x.Dim(2), x.Dim(3), 1) : F.GlobalAvgPool2d(x, keepDim: true);
    }

    /// <summary>Eval: running statistics; training (model.Train()): batch statistics, running ones updated with 1 − momentum.</summary>
    private static Tensor BatchNorm(OnnxContext c, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var)
    {
        double eps = c.Node.Float("epsilon", 1e-5f), momentum = c.Node.Float("momentum", 0.9f);
        if (Nchwc.IsBlocked(x) && !c.Training) return Nchwc.BatchNorm(x, scale, bias, mean, var, eps);
        x = Nchw(x);
        return F.BatchNorm(x, mean, var, scale, bias, training: c.Training, momentum: 1 - momentum, eps: eps);
    }

    /// <summary>
    /// True when pads (begin, end) along an axis of size n act as the symmetric pad (begin, begin): the end
    /// pad is not larger and both give the same number of windows, so the same windows are read and any
    /// position past n is padding either way (CNTK's ResNet18 writes [1, 1, 0, 0] for its stride-2 layers).
    /// </summary>
    private static bool AsSymmetric(int n, int span, int stride, int begin, int end) =>
        end <= begin && (n + 2 * begin - span) / stride == (n + begin + end - span) / stride && n + begin + end >= span;

    /// <summary>Output length of a pooling window: floor, or ceil where the last window still starts inside the input or its leading pad.</summary>
    private static int PoolSize(int n, int k, int s, int padBegin, int padEnd, bool ceil)
    {
        int span = n + padBegin + padEnd - k;
        if (span < 0) throw new ArgumentException($"pooling window {k} is larger than the padded input {n + padBegin + padEnd}.");
        if (!ceil) return span / s + 1;
        int o = (span + s - 1) / s + 1;
        if ((o - 1) * s >= n + padBegin) o--;
        return o;
    }

    /// <summary>(top, left, bottom, right) from pads [x1_begin, x2_begin, x1_end, x2_end] or auto_pad.</summary>
    private static (int T, int L, int B, int R) Pads(OnnxNode node, int h, int w, int kh, int kw, int sh, int sw)
    {
        string auto = node.String("auto_pad", "NOTSET");
        switch (auto)
        {
            case "NOTSET":
                var p = node.Ints("pads") ?? [0, 0, 0, 0];
                if (p.Length != 4 || p.Any(v => v < 0 || v > 1 << 16))
                    throw new NotSupportedException($"ONNX: {node.Where}: pads [{string.Join(", ", p)}] are not four non-negative values for a 2-D window.");
                return ((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
            case "VALID":
                return (0, 0, 0, 0);
            case "SAME_UPPER" or "SAME_LOWER":
                var (t, b) = SamePad(h, kh, sh, auto == "SAME_UPPER");
                var (l, r) = SamePad(w, kw, sw, auto == "SAME_UPPER");
                return (t, l, b, r);
            default:
                throw new InvalidDataException($"ONNX: {node.Where}: unknown auto_pad '{auto}'.");
        }
    }

    /// <summary>SAME padding: output ceil(n/s); the odd pad goes at the end (UPPER) or the start (LOWER).</summary>
    private static (int Begin, int End) SamePad(int n, int k, int s, bool upper)
    {
        int o = (n + s - 1) / s;
        int total = Math.Max(0, (o - 1) * s + k - n);
        int small = total / 2, big = total - small;
        return upper ? (small, big) : (big, small);
    }

    private static (int, int) Kernel(OnnxNode node)
    {
        var k = node.Ints("kernel_shape") ?? throw new InvalidDataException($"ONNX: {node.Where} has no kernel_shape.");
        if (k.Length != 2 || k[0] < 1 || k[1] < 1)
            throw new NotSupportedException($"ONNX: {node.Where}: kernel_shape [{string.Join(", ", k)}] is not a 2-D window (only 2-D pooling is supported).");
        return ((int)k[0], (int)k[1]);
    }

    private static (int, int) Pair(OnnxNode node, string name, int fallback)
    {
        var v = node.Ints(name);
        if (v is null) return (fallback, fallback);
        if (v.Length != 2 || v[0] < 1 || v[1] < 1)
            throw new NotSupportedException($"ONNX: {node.Where}: {name} [{string.Join(", ", v)}] is not two positive values (only 2-D windows are supported).");
        return ((int)v[0], (int)v[1]);
    }

    private static int SameStride(OnnxNode node, int sh, int sw) =>
        sh == sw ? sh : throw new NotSupportedException($"ONNX: {node.Where}: strides [{sh}, {sw}] differ; the engine's convolution and pooling take one stride for both axes.");

    /// <summary>Channels of an NCHW or blocked image.</summary>
    private static int Channels(Tensor x) => Nchwc.IsBlocked(x) ? x.Dim(1) * Nchwc.Block : x.Dim(1);

    /// <summary>x in NCHW: a blocked image unblocked (a new tensor), any other tensor itself.</summary>
    private static Tensor Nchw(Tensor x) => Nchwc.IsBlocked(x) ? Nchwc.Unblock(x) : x;

    private static void Need4d(OnnxNode node, Tensor t, string what)
    {
        if (t.Rank != 4 && !Nchwc.IsBlocked(t))
            throw new NotSupportedException($"ONNX: {node.Where}: {what} has shape {Tensor.ShapeString(t.Shape)}; only 2-D (NCHW) convolution and pooling are supported.");
    }
}
