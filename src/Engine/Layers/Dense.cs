namespace Engine.Layers;

/// <summary>
/// keras.layers.Dense: y = activation(x·kernel + bias) on the last axis; kernel [in, units], bias [units].
/// Defaults as Keras: no activation (linear), GlorotUniform kernel, Zeros bias.
/// </summary>
public sealed class Dense : KernelLayer
{
    /// <summary>A dense layer with <paramref name="units"/> outputs.</summary>
    public Dense(int units, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null, int[]? inputShape = null, string? name = null)
        : base("Dense", activation, useBias, kernelInitializer, biasInitializer, name, inputShape)
    {
        Units = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), $"Dense: units must be positive, got {units}.");
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <inheritdoc/>
    public override string ClassName => "Dense";

    /// <inheritdoc/>
    public override string NamePrefix => "dense";

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length == 0)
            throw new ArgumentException($"Dense expects an input with a feature axis, got {ShapeText(inputShape)}.");
        var o = (int[])inputShape.Clone();
        o[^1] = Units;
        return o;
    }

    /// <inheritdoc/>
    protected override void CreateWeights(int[] inputShape, DType dtype, Device device, Generator generator)
    {
        AddKernelAndBias([inputShape[^1], Units], dtype, device, generator); // kernel [in, units]
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false) => Activations.Apply(Activation, CallLinear(x));

    /// <summary>x·kernel + bias, before the activation (the model fuses softmax into the cross-entropy).</summary>
    internal Tensor CallLinear(Tensor x)
    {
        CheckInput(x);
        int inF = InputShape[^1];
        var x2 = x.Rank == 2 ? x : x.Reshape(-1, inF);
        var y = x2.MatMul(Kernel);
        if (Bias is { } b) y = y + b;
        if (x.Rank == 2) return y;
        var shape = x.Shape;
        shape[^1] = Units;
        return y.Reshape(shape);
    }

    /// <summary>
    /// Flatten then this layer on channels-first images x [N, C, H, W], the same result as on the
    /// channels-last [N, H, W, C] that Keras flattens: the kernel's rows, stored in Keras's (h, w, c)
    /// order, are permuted to (c, h, w) so the images need no permute back. Without the final activation
    /// when <paramref name="skip"/> is set and it is a softmax (the loss fuses it).
    /// </summary>
    internal Tensor CallOnChannelsFirst(Tensor x, bool skip)
    {
        var s = InputShape;
        if (x.Rank != 4 || (long)x.Dim(1) * x.Dim(2) * x.Dim(3) != s[0])
            throw new ArgumentException($"{Name} (Dense): expected NCHW images with {s[0]} values each, got {Tensor.ShapeString(x.Shape)}.");
        int c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        var kernel = c == 1 ? Kernel : Kernel.Reshape(h, w, c, Units).Permute(2, 0, 1, 3).Reshape(s[0], Units);
        var y = x.Reshape(x.Dim(0), s[0]).MatMul(kernel);
        if (Bias is { } b) y = y + b;
        return skip && Activation == "softmax" ? y : Activations.Apply(Activation, y);
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?> { ["units"] = Units };
        AddConfig(config);
        return config;
    }
}
