using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// 2-D convolution layer (torch.nn.Conv2d): weight [out, in, KH, KW], bias [out]; input
/// [N, in, H, W] → [N, out, OH, OW] with OH = (H + 2·padding − KH)/stride + 1. PyTorch's default init:
/// kaiming-uniform with a = √5, i.e. weight and bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = in·KH·KW.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>A square KH = KW = <paramref name="kernelSize"/> window.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), stride, padding, bias, dtype, device, generator) { }

    /// <summary>A KH×KW window; numbers are drawn from <paramref name="generator"/> (or the default one).</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, int stride = 1, int padding = 0, bool bias = true,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"Conv2d: in_channels and out_channels must be positive, got {inChannels} and {outChannels}.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0)
            throw new ArgumentException($"Conv2d: kernel_size must be positive, got {kernelSize.H}×{kernelSize.W}.");
        if (stride <= 0 || padding < 0)
            throw new ArgumentException($"Conv2d: stride must be positive and padding ≥ 0, got stride {stride}, padding {padding}.");
        Tensor.CheckedSize("Conv2d", [outChannels, inChannels, kernelSize.H, kernelSize.W]);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        var w = Tensor.Zeros([outChannels, inChannels, kernelSize.H, kernelSize.W], dtype, device);
        Init.KaimingUniform(w, a: Math.Sqrt(5), generator: generator);
        Weight = RegisterParameter("weight", w);
        if (bias)
        {
            double bound = 1 / Math.Sqrt(inChannels * kernelSize.H * kernelSize.W);
            var b = Tensor.Zeros([outChannels], dtype, device);
            Init.Uniform(b, -bound, bound, generator);
            Bias = RegisterParameter("bias", b);
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels (number of filters).</summary>
    public int OutChannels { get; }

    /// <summary>Window height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows (both axes).</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>[out, in, KH, KW].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null without bias.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [N, in, H, W] → [N, out, OH, OW].</summary>
    public override Tensor Forward(Tensor input) => F.Conv2d(input, Weight, Bias, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({Stride}, {Stride})" +
        (Padding != 0 ? $", padding=({Padding}, {Padding})" : "") + (Bias is null ? ", bias=False" : "") + ")";
}
