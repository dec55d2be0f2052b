using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Average pooling (torch.nn.AvgPool2d, count_include_pad): [N, C, H, W] → [N, C, OH, OW], the
/// window sum divided by KH·KW (padding counts as zeros); stride defaults to the window size.
/// </summary>
public sealed class AvgPool2d : Pool2d
{
    /// <summary>A square window.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0) : this((kernelSize, kernelSize), stride, padding) { }

    /// <summary>A KH×KW window.</summary>
    public AvgPool2d((int H, int W) kernelSize, int? stride = null, int padding = 0) : base("AvgPool2d", kernelSize, stride, padding) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.AvgPool2d(input, KernelSize.H, KernelSize.W, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel_size={KernelText}, stride={Stride}, padding={Padding})";
}
