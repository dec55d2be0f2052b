using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Max pooling (torch.nn.MaxPool2d): [N, C, H, W] → [N, C, OH, OW], the largest value of each
/// KH×KW window; stride defaults to the window size; padding (≤ half the window) never wins.
/// </summary>
public sealed class MaxPool2d : Module
{
    /// <summary>A square window.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : this((kernelSize, kernelSize), stride, padding) { }

    /// <summary>A KH×KW window.</summary>
    public MaxPool2d((int H, int W) kernelSize, int? stride = null, int padding = 0)
    {
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"MaxPool2d: kernel_size and stride must be positive and padding ≥ 0, got kernel {kernelSize.H}×{kernelSize.W}, stride {stride}, padding {padding}.");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize.H;
        Padding = padding;
    }

    /// <summary>Window height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit padding on every side.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize.H, KernelSize.W, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() =>
        $"MaxPool2d(kernel_size={Size(KernelSize)}, stride={Stride}, padding={Padding}, dilation=1, ceil_mode=False)";

    internal static string Size((int H, int W) k) => k.H == k.W ? k.H.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"({k.H}, {k.W})";
}
