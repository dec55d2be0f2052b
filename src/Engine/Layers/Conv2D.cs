using Engine.Functional;

namespace Engine.Layers;

/// <summary>
/// keras.layers.Conv2D on channels-last images: x [N, H, W, C] → [N, OH, OW, filters], kernel
/// [kh, kw, C, filters], bias [filters]. strides (height, width) may differ; padding "valid" (none) or
/// "same" (output ⌈H/stride⌉, zeros padded as Keras does: half before, the odd one after). Computed by
/// F.Conv2d on NCHW: the kernel is permuted to [filters, C, kh, kw] on every call (a small copy) so
/// gradients reach the Keras-layout weight.
/// </summary>
public sealed class Conv2D : KernelLayer
{
    /// <summary>A convolution with <paramref name="filters"/> output channels.</summary>
    public Conv2D(int filters, IntPair kernelSize, IntPair? strides = null, string padding = "valid", string? activation = null,
        bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        int[]? inputShape = null, string? name = null)
        : base("Conv2D", activation, useBias, kernelInitializer, biasInitializer, name, inputShape)
    {
        Filters = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), $"Conv2D: filters must be positive, got {filters}.");
        KernelSize = kernelSize.CheckPositive(nameof(kernelSize), "Conv2D");
        Strides = (strides ?? 1).CheckPositive(nameof(strides), "Conv2D");
        Padding = KerasPadding.Check(padding, "Conv2D");
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height and width.</summary>
    public IntPair KernelSize { get; }

    /// <summary>Step of the window.</summary>
    public IntPair Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    /// <inheritdoc/>
    public override string ClassName => "Conv2D";

    /// <inheritdoc/>
    public override string NamePrefix => "conv2d";

    internal override bool RunsChannelsFirst => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        if (inputShape.Length != 3)
            throw new ArgumentException($"Conv2D expects images (height, width, channels), got {ShapeText(inputShape)}.");
        return [KerasPadding.OutSize(Padding, inputShape[0], KernelSize.H, Strides.H, "Conv2D", "height"),
            KerasPadding.OutSize(Padding, inputShape[1], KernelSize.W, Strides.W, "Conv2D", "width"), Filters];
    }

    /// <inheritdoc/>
    protected override void CreateWeights(int[] inputShape, DType dtype, Device device, Generator generator)
    {
        AddKernelAndBias([KernelSize.H, KernelSize.W, inputShape[2], Filters], dtype, device, generator); // kernel [kh, kw, C, filters]
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false)
    {
        CheckInput(x);
        return CallChannelsFirst(x.Permute(0, 3, 1, 2), training).Permute(0, 2, 3, 1);
    }

    internal override Tensor CallChannelsFirst(Tensor x, bool training) => Activations.Apply(Activation, LinearChannelsFirst(x));

    /// <summary>The convolution plus bias on [N, C, H, W] → [N, filters, OH, OW], before the activation.</summary>
    internal Tensor LinearChannelsFirst(Tensor x)
    {
        var s = InputShape;
        if (x.Rank != 4 || x.Dim(1) != s[2] || x.Dim(2) != s[0] || x.Dim(3) != s[1])
            throw new ArgumentException($"{Name} (Conv2D): expected input of shape {ShapeText(s)}, got NCHW {Tensor.ShapeString(x.Shape)}.");
        var (top, bottom) = KerasPadding.Pads(Padding, s[0], KernelSize.H, Strides.H);
        var (left, right) = KerasPadding.Pads(Padding, s[1], KernelSize.W, Strides.W);
        // F.Conv2d pads (top, left) on both sides; the odd extra row or column "same" puts after is added first.
        if (bottom > top || right > left)
            x = F.Pad2d(x, 0, bottom - top, 0, right - left);
        var w = Kernel.Permute(3, 2, 0, 1);
        return F.Conv2d(x, w, Bias, (Strides.H, Strides.W), (top, left));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?>
        {
            ["filters"] = Filters,
            ["kernel_size"] = KernelSize.ToArray(),
            ["strides"] = Strides.ToArray(),
            ["padding"] = Padding,
        };
        AddConfig(config);
        return config;
    }
}
