namespace Engine.Layers;

/// <summary>
/// Base of MaxPooling2D and AveragePooling2D: x [N, H, W, C] → [N, OH, OW, C] with a poolSize window
/// moving by strides (default: the window; height and width may differ). padding "valid": OH = ⌊(H − ph)/sh⌋ + 1;
/// "same": OH = ⌈H/sh⌉ with Keras's padding (the odd cell after), which never counts: max pooling ignores it,
/// average pooling divides by the input cells each window covers.
/// </summary>
public abstract class Pooling2D : Layer
{
    /// <summary>Checks and stores the window.</summary>
    protected Pooling2D(IntPair? poolSize, IntPair? strides, string padding, int[]? inputShape, string? name) : base(name, inputShape)
    {
        PoolSize = (poolSize ?? 2).CheckPositive(nameof(poolSize), GetType().Name);
        Strides = (strides ?? PoolSize).CheckPositive(nameof(strides), GetType().Name);
        Padding = KerasPadding.Check(padding, GetType().Name);
    }

    /// <summary>Window height and width.</summary>
    public IntPair PoolSize { get; }

    /// <summary>Step of the window along height and width.</summary>
    public IntPair Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    internal override bool RunsChannelsFirst => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3)
            throw new ArgumentException($"{ClassName} expects images (height, width, channels), got {ShapeText(inputShape)}.");
        return [KerasPadding.OutSize(Padding, inputShape[0], PoolSize.H, Strides.H, ClassName, "height"),
            KerasPadding.OutSize(Padding, inputShape[1], PoolSize.W, Strides.W, ClassName, "width"), inputShape[2]];
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false)
    {
        CheckInput(x);
        return CallChannelsFirst(x.Permute(0, 3, 1, 2), training).Permute(0, 2, 3, 1);
    }

    internal override Tensor CallChannelsFirst(Tensor x, bool training)
    {
        var s = InputShape;
        if (x.Rank != 4 || x.Dim(1) != s[2] || x.Dim(2) != s[0] || x.Dim(3) != s[1])
            throw new ArgumentException($"{Name} ({ClassName}): expected input of shape {ShapeText(s)}, got NCHW {Tensor.ShapeString(x.Shape)}.");
        var (top, bottom) = KerasPadding.Pads(Padding, s[0], PoolSize.H, Strides.H);
        var (left, right) = KerasPadding.Pads(Padding, s[1], PoolSize.W, Strides.W);
        return Pool(x, top, bottom, left, right);
    }

    /// <summary>The pooling on [N, C, H, W], padded by (top, bottom, left, right) cells that must not count.</summary>
    protected abstract Tensor Pool(Tensor x, int top, int bottom, int left, int right);

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["pool_size"] = PoolSize.ToArray(),
        ["strides"] = Strides.ToArray(),
        ["padding"] = Padding,
    };
}
