using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// 2-D convolution layer (torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
/// dilation=1, groups=1, bias=True)): weight [out, in/groups, KH, KW], bias [out]; input [N, in, H, W] →
/// [N, out, OH, OW] with OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1)/stride⌋ + 1. PyTorch's default init:
/// kaiming-uniform with a = √5, i.e. weight and bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = in/groups·KH·KW.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>A square KH = KW = <paramref name="kernelSize"/> window, one stride, padding and dilation for both axes.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true,
        DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, dtype, device, generator) { }

    /// <summary>(h, w) window, stride, padding and dilation; numbers are drawn from <paramref name="generator"/> (or the default one).</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default,
        (int H, int W)? dilation = null, int groups = 1, bool bias = true, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        var s = stride ?? (1, 1);
        var d = dilation ?? (1, 1);
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentException($"Conv2d: in_channels and out_channels must be positive, got {inChannels} and {outChannels}.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0)
            throw new ArgumentException($"Conv2d: kernel_size must be positive, got {kernelSize.H}×{kernelSize.W}.");
        if (s.H <= 0 || s.W <= 0 || padding.H < 0 || padding.W < 0 || d.H <= 0 || d.W <= 0)
            throw new ArgumentException($"Conv2d: stride and dilation must be positive and padding ≥ 0, got stride {s}, padding {padding}, dilation {d}.");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: groups must be positive and divide in_channels ({inChannels}) and out_channels ({outChannels}), got {groups}.");
        Tensor.CheckedSize("Conv2d", [outChannels, inChannels / groups, kernelSize.H, kernelSize.W]);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = s;
        Padding = padding;
        Dilation = d;
        Groups = groups;
        var (w, b) = Init.DefaultWeightAndBias([outChannels, inChannels / groups, kernelSize.H, kernelSize.W], bias, dtype, device, generator);
        Weight = RegisterParameter("weight", w);
        if (b is not null) Bias = RegisterParameter("bias", b);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels (number of filters).</summary>
    public int OutChannels { get; }

    /// <summary>Window height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows (h, w).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Zero padding on the top/bottom and left/right.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Spacing of the kernel's taps (h, w).</summary>
    public (int H, int W) Dilation { get; }

    /// <summary>Input and output channels split into this many independent groups (in_channels = groups: depthwise).</summary>
    public int Groups { get; }

    /// <summary>[out, in, KH, KW].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null without bias.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [N, in, H, W] → [N, out, OH, OW].</summary>
    public override Tensor Forward(Tensor input) => F.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size=({KernelSize.H}, {KernelSize.W}), stride=({Stride.H}, {Stride.W})" +
        (Padding != (0, 0) ? $", padding=({Padding.H}, {Padding.W})" : "") +
        (Dilation != (1, 1) ? $", dilation=({Dilation.H}, {Dilation.W})" : "") +
        (Groups != 1 ? $", groups={Groups}" : "") + (Bias is null ? ", bias=False" : "") + ")";
}
