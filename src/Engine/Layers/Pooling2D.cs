namespace Engine.Layers;

/// <summary>
/// Base of MaxPooling2D and AveragePooling2D: x [N, H, W, C] → [N, OH, OW, C] with a poolSize window
/// moving by strides (default: the window), padding "valid" only, OH = ⌊(H − ph)/sh⌋ + 1.
/// </summary>
public abstract class Pooling2D : Layer
{
    /// <summary>Checks and stores the window.</summary>
    protected Pooling2D(IntPair? poolSize, IntPair? strides, string padding, int[]? inputShape, string? name) : base(name, inputShape)
    {
        PoolSize = (poolSize ?? 2).CheckPositive(nameof(poolSize), GetType().Name);
        Strides = (strides ?? PoolSize).CheckPositive(nameof(strides), GetType().Name);
        if (Strides.H != Strides.W)
            throw new NotSupportedException($"{GetType().Name}: strides must be equal in height and width here, got ({Strides.H}, {Strides.W}).");
        if (padding.ToLowerInvariant() != "valid")
            throw new NotSupportedException($"{GetType().Name}: only padding \"valid\" is supported, got \"{padding}\".");
    }

    /// <summary>Window height and width.</summary>
    public IntPair PoolSize { get; }

    /// <summary>Step of the window.</summary>
    public IntPair Strides { get; }

    internal override bool RunsChannelsFirst => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3)
            throw new ArgumentException($"{ClassName} expects images (height, width, channels), got {ShapeText(inputShape)}.");
        if (inputShape[0] < PoolSize.H || inputShape[1] < PoolSize.W)
            throw new ArgumentException($"{ClassName}: the pool window ({PoolSize.H}, {PoolSize.W}) is larger than the input {ShapeText(inputShape)}.");
        return [(inputShape[0] - PoolSize.H) / Strides.H + 1, (inputShape[1] - PoolSize.W) / Strides.W + 1, inputShape[2]];
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false)
    {
        CheckInput(x);
        return CallChannelsFirst(x.Permute(0, 3, 1, 2), training).Permute(0, 2, 3, 1);
    }

    internal override Tensor CallChannelsFirst(Tensor x, bool training) => Pool(x);

    /// <summary>The pooling on [N, C, H, W].</summary>
    protected abstract Tensor Pool(Tensor x);

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["pool_size"] = PoolSize.ToArray(),
        ["strides"] = Strides.ToArray(),
        ["padding"] = "valid",
    };
}
