using Engine.Functional;

namespace Engine.Scratch;

/// <summary>
/// Argument checks of the from-scratch layers, kept here so each layer's Forward and Backward show only
/// their maths. Every check throws a managed exception naming the layer (<c>op</c>) with the shape it
/// expected and the shape it got.
/// </summary>
internal static class LayerChecks
{
    /// <summary>What the last forward cached, or "call Forward first" when there is none yet.</summary>
    public static T Cached<T>(string op, T? cached, string what) where T : class =>
        cached ?? throw new InvalidOperationException($"{op}: call Forward first (no {what} cached yet).");

    /// <summary>
    /// A backward's dout against the tensor the forward cached: that tensor exists, and dout has its
    /// shape, dtype and device. Returns the cached tensor.
    /// </summary>
    public static Tensor Dout(string op, Tensor dout, Tensor? cached, string what)
    {
        var c = Cached(op, cached, what);
        if (!dout.SameShape(c))
            throw new ArgumentException($"{op}: dout has shape {Tensor.ShapeString(dout.Shape)} but the last forward's {what} has shape {Tensor.ShapeString(c.Shape)}; they must match.");
        Tensor.CheckSameKind(op, dout, c);
        return c;
    }

    /// <summary>Affine's W [in, out] and b [out]: float, same dtype and device.</summary>
    public static void AffineParams(Tensor w, Tensor b)
    {
        w.CheckFloat("Affine");
        if (w.Rank != 2)
            throw new ArgumentException($"Affine: W must be 2-D [in, out], but got shape {Tensor.ShapeString(w.Shape)}.");
        if (b.Rank != 1 || b.Dim(0) != w.Dim(1))
            throw new ArgumentException($"Affine: b must have shape [{w.Dim(1)}] to match W {Tensor.ShapeString(w.Shape)}, but got {Tensor.ShapeString(b.Shape)}.");
        Tensor.CheckSameKind("Affine", w, b);
    }

    /// <summary>Affine.Forward's x: [N, in], or [N, …] with in values per sample, of W's dtype and device.</summary>
    public static void AffineInput(Tensor x, Tensor w)
    {
        const string op = "Affine.Forward";
        if (x.Rank < 2)
            throw new ArgumentException($"{op}: expected a batch [N, {w.Dim(0)}] (or [N, …] with {w.Dim(0)} values per sample), but got shape {Tensor.ShapeString(x.Shape)}.");
        Tensor.CheckSameKind(op, x, w);
        long perSample = x.Size / Math.Max(x.Dim(0), 1);
        if (perSample != w.Dim(0))
            throw new ArgumentException($"{op}: input of shape {Tensor.ShapeString(x.Shape)} has {perSample} values per sample, but W has shape {Tensor.ShapeString(w.Shape)} and expects {w.Dim(0)}.");
    }

    /// <summary>Affine.Backward's dout: [N, out] of the last forward. Returns the cached x [N, in].</summary>
    public static Tensor AffineDout(Tensor dout, Tensor? x, Tensor w)
    {
        const string op = "Affine.Backward";
        var cached = Cached(op, x, "input");
        int[] expected = [cached.Dim(0), w.Dim(1)];
        if (dout.Rank != 2 || dout.Dim(0) != expected[0] || dout.Dim(1) != expected[1])
            throw new ArgumentException($"{op}: expected dout of shape {Tensor.ShapeString(expected)} (the forward output), but got {Tensor.ShapeString(dout.Shape)}.");
        Tensor.CheckSameKind(op, dout, w);
        return cached;
    }

    /// <summary>Convolution's W [FN, C, FH, FW], b [FN], stride &gt; 0 and pad ≥ 0.</summary>
    public static void ConvolutionParams(Tensor w, Tensor b, int stride, int pad)
    {
        w.CheckFloat("Convolution");
        if (w.Rank != 4)
            throw new ArgumentException($"Convolution: W must be 4-D [FN, C, FH, FW], but got shape {Tensor.ShapeString(w.Shape)}.");
        if (b.Rank != 1 || b.Dim(0) != w.Dim(0))
            throw new ArgumentException($"Convolution: b must have shape [{w.Dim(0)}] to match W {Tensor.ShapeString(w.Shape)}, but got {Tensor.ShapeString(b.Shape)}.");
        if (stride <= 0 || pad < 0)
            throw new ArgumentException($"Convolution: stride must be positive and pad ≥ 0, got stride {stride}, pad {pad}.");
        Tensor.CheckSameKind("Convolution", w, b);
    }

    /// <summary>Convolution.Forward's x [N, C, H, W] with W's channels; returns the output size (OH, OW).</summary>
    public static (int OH, int OW) ConvolutionInput(Tensor x, Tensor w, int stride, int pad)
    {
        const string op = "Convolution.Forward";
        F.CheckImage(op, x);
        Tensor.CheckSameKind(op, x, w);
        if (x.Dim(1) != w.Dim(1))
            throw new ArgumentException($"{op}: the input has {x.Dim(1)} channels (shape {Tensor.ShapeString(x.Shape)}) but W {Tensor.ShapeString(w.Shape)} expects {w.Dim(1)}.");
        var (oh, ow) = F.OutputSize(op, x.Shape, w.Dim(2), w.Dim(3), stride, pad);
        F.ColsShape(op, x.Shape, oh, ow, w.Dim(2), w.Dim(3));
        return (oh, ow);
    }

    /// <summary>Convolution.Backward's dout: [N, FN, OH, OW] of the last forward. Returns the cached col.</summary>
    public static Tensor ConvolutionDout(Tensor dout, Tensor? col, int[]? xShape, int fn, int oh, int ow)
    {
        const string op = "Convolution.Backward";
        var cached = Cached(op, col, "input");
        dout.CheckShape(op, [xShape![0], fn, oh, ow], "dout (the forward output's shape)");
        return cached;
    }

    /// <summary>Pooling's window, stride and pad (at most half the window).</summary>
    public static void PoolingParams(int poolH, int poolW, int stride, int pad)
    {
        if (poolH <= 0 || poolW <= 0 || stride <= 0 || pad < 0)
            throw new ArgumentException($"Pooling: pool size and stride must be positive and pad ≥ 0, got {poolH}×{poolW}, stride {stride}, pad {pad}.");
        F.CheckPoolPadding("Pooling", poolH, poolW, pad);
    }

    /// <summary>Pooling.Forward's x [N, C, H, W]; returns the output size (OH, OW).</summary>
    public static (int OH, int OW) PoolingInput(Tensor x, int poolH, int poolW, int stride, int pad)
    {
        F.CheckImage("Pooling.Forward", x);
        return F.OutputSize("Pooling.Forward", x.Shape, poolH, poolW, stride, pad);
    }

    /// <summary>Pooling.Backward's dout: float, the shape and device of the cached maxima. Returns them.</summary>
    public static Tensor PoolingDout(Tensor dout, Tensor? argMax)
    {
        const string op = "Pooling.Backward";
        var cached = Cached(op, argMax, "maxima");
        dout.CheckFloat(op);
        dout.CheckShape(op, cached.Shape, "dout (the forward output's shape)");
        if (dout.Device != cached.Device)
            throw new InvalidOperationException($"{op}: dout is on {dout.Device} but the forward ran on {cached.Device}.");
        return cached;
    }

    /// <summary>Dropout's ratio in [0, 1).</summary>
    public static void DropoutRatio(double ratio)
    {
        if (ratio is < 0 or >= 1 || double.IsNaN(ratio))
            throw new ArgumentOutOfRangeException("dropoutRatio", $"Dropout: dropout_ratio must be in [0, 1), got {ratio}.");
    }

    /// <summary>BatchNormalization's γ [D], β [D], momentum in [0, 1] and running statistics [D].</summary>
    public static void BatchNormParams(Tensor gamma, Tensor beta, double momentum)
    {
        gamma.CheckFloat("BatchNormalization");
        if (gamma.Rank != 1 || !gamma.SameShape(beta))
            throw new ArgumentException($"BatchNormalization: gamma and beta must both be [D], got {Tensor.ShapeString(gamma.Shape)} and {Tensor.ShapeString(beta.Shape)}.");
        if (momentum is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNormalization: momentum must be in [0, 1], got {momentum}.");
        Tensor.CheckSameKind("BatchNormalization", gamma, beta);
    }

    /// <summary>BatchNormalization.Forward's x: [N, D] or [N, …] with D values per sample, N ≥ 2 in training.</summary>
    public static void BatchNormInput(Tensor x, Tensor gamma, bool training)
    {
        const string op = "BatchNormalization.Forward";
        x.CheckFloat(op);
        Tensor.CheckSameKind(op, x, gamma);
        int d = gamma.Dim(0);
        if (x.Rank < 2 || x.Size != (long)x.Dim(0) * d)
            throw new ArgumentException($"{op}: expected [N, {d}] (or [N, …] with {d} values per sample), but got shape {Tensor.ShapeString(x.Shape)}.");
        if (training && x.Dim(0) < 2)
            throw new ArgumentException($"{op}: training needs a batch of at least 2 samples, got shape {Tensor.ShapeString(x.Shape)}.");
    }

    /// <summary>BatchNormalization.Backward: a training-mode forward ran, and dout has its input's shape.</summary>
    public static void BatchNormDout(Tensor dout, int[]? xShape, bool lastWasTraining)
    {
        const string op = "BatchNormalization.Backward";
        var shape = Cached(op, xShape, "batch");
        if (!lastWasTraining)
            throw new InvalidOperationException($"{op}: the last forward ran in test mode (train_flg false); backward needs a training-mode forward.");
        dout.CheckShape(op, shape, "dout (the forward input's shape)");
    }

    /// <summary>
    /// SoftmaxWithLoss.Forward's scores x [N, C] and targets t: one-hot [N, C] (returned in x's dtype)
    /// or integer labels [N] (returned as they are), on x's device.
    /// </summary>
    public static Tensor SoftmaxTargets(Tensor x, Tensor t)
    {
        const string op = "SoftmaxWithLoss.Forward";
        x.CheckFloat(op);
        t.CheckAlive(op);
        if (x.Rank != 2)
            throw new ArgumentException($"{op}: expected scores of shape [N, C], but got {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), c = x.Dim(1);
        if (t.Device != x.Device)
            throw new InvalidOperationException($"{op}: the targets are on {t.Device} but the scores are on {x.Device}.");
        if (t.DType.IsFloat())
        {
            if (t.Rank != 2 || t.Dim(0) != n || t.Dim(1) != c)
                throw new ArgumentException($"{op}: one-hot targets must have the scores' shape [{n}, {c}], but got {Tensor.ShapeString(t.Shape)}.");
            return t.DType == x.DType ? t : t.To(x.DType);
        }
        if (t.Rank != 1 || t.Dim(0) != n)
            throw new ArgumentException($"{op}: integer labels must have shape [{n}] for scores [{n}, {c}], but got {Tensor.ShapeString(t.Shape)}.");
        return t;
    }
}
