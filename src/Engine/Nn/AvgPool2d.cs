using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Average pooling (torch.nn.AvgPool2d, count_include_pad): [N, C, H, W] → [N, C, OH, OW], the
/// window sum divided by KH·KW (padding counts as zeros); stride defaults to the window size.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>A square window.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0) : this((kernelSize, kernelSize), stride, padding) { }

    /// <summary>A KH×KW window.</summary>
    public AvgPool2d((int H, int W) kernelSize, int? stride = null, int padding = 0)
    {
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"AvgPool2d: kernel_size and stride must be positive and padding ≥ 0, got kernel {kernelSize.H}×{kernelSize.W}, stride {stride}, padding {padding}.");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize.H;
        Padding = padding;
    }

    /// <summary>Window height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize.H, KernelSize.W, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel_size={MaxPool2d.Size(KernelSize)}, stride={Stride}, padding={Padding})";
}
