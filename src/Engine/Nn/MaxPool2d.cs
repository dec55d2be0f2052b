using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Max pooling (torch.nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)):
/// [N, C, H, W] → [N, C, OH, OW], the largest value of each window; stride defaults to the window;
/// padding (≤ half the window) never wins. See <see cref="F.MaxPool2d(Tensor, int, int?, int, int, bool)"/>.
/// </summary>
public sealed class MaxPool2d : Pool2d
{
    // How PyTorch prints each argument: as an int where one was given (or defaulted), as a tuple otherwise.
    private readonly bool _square;
    private readonly bool _strideGiven, _paddingGiven, _dilationGiven;

    /// <summary>A square window, one stride, padding and dilation for both axes.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        : this((kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding), (dilation, dilation), ceilMode) => _square = true;

    /// <summary>(h, w) window, stride, padding and dilation.</summary>
    public MaxPool2d((int H, int W) kernelSize, (int H, int W)? stride = null, (int H, int W) padding = default, (int H, int W)? dilation = null, bool ceilMode = false)
        : base("MaxPool2d", kernelSize, stride, padding, ceilMode)
    {
        Dilation = dilation ?? (1, 1);
        (_strideGiven, _paddingGiven, _dilationGiven) = (stride is not null, padding != default, dilation is not null);
        if (Dilation.H <= 0 || Dilation.W <= 0)
            throw new ArgumentException($"MaxPool2d: dilation must be positive, got {Dilation}.");
    }

    /// <summary>Spacing of the window's taps (h, w).</summary>
    public (int H, int W) Dilation { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <inheritdoc/>
    public override string ToString() =>
        $"MaxPool2d(kernel_size={Text(KernelSize, _square)}, stride={(_strideGiven ? Text(Stride, _square) : Text(KernelSize, _square))}, " +
        $"padding={Text(Padding, _square || !_paddingGiven)}, dilation={Text(Dilation, _square || !_dilationGiven)}, ceil_mode={Text(CeilMode)})";
}
