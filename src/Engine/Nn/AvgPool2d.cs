using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Average pooling (torch.nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
/// count_include_pad=True, divisor_override=None)): [N, C, H, W] → [N, C, OH, OW], each window's sum
/// divided by the window size (padding counted as zeros unless count_include_pad is false) or by
/// divisor_override; stride defaults to the window.
/// </summary>
public sealed class AvgPool2d : Pool2d
{
    // How PyTorch prints each argument: as an int where one was given (or defaulted), as a tuple otherwise.
    private readonly bool _square;
    private readonly bool _strideGiven, _paddingGiven;

    /// <summary>A square window, one stride and padding for both axes.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
        : this((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), ceilMode, countIncludePad, divisorOverride) => _square = true;

    /// <summary>(h, w) window, stride and padding.</summary>
    public AvgPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default, bool ceilMode = false,
        bool countIncludePad = true, int? divisorOverride = null)
        : base("AvgPool2d", kernelSize, stride, padding, ceilMode)
    {
        if (divisorOverride is <= 0)
            throw new ArgumentException($"AvgPool2d: divisor_override must be positive, got {divisorOverride}.");
        (_strideGiven, _paddingGiven) = (stride is not null, padding != default);
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
    }

    /// <summary>Whether the padding cells count in a window's size.</summary>
    public bool CountIncludePad { get; }

    /// <summary>Divisor used instead of the window size, or null.</summary>
    public int? DivisorOverride { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel_size={Text(KernelSize, _square)}, stride={(_strideGiven ? Text(Stride, _square) : Text(KernelSize, _square))}, padding={Text(Padding, _square || !_paddingGiven)})";
}
