using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Max pooling (torch.nn.MaxPool2d): [N, C, H, W] → [N, C, OH, OW], the largest value of each
/// KH×KW window; stride defaults to the window size; padding (≤ half the window) never wins.
/// </summary>
public sealed class MaxPool2d : Pool2d
{
    /// <summary>A square window.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : this((kernelSize, kernelSize), stride, padding) { }

    /// <summary>A KH×KW window.</summary>
    public MaxPool2d((int H, int W) kernelSize, int? stride = null, int padding = 0) : base("MaxPool2d", kernelSize, stride, padding) { }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.MaxPool2d(input, KernelSize.H, KernelSize.W, Stride, Padding);

    /// <inheritdoc/>
    public override string ToString() =>
        $"MaxPool2d(kernel_size={KernelText}, stride={Stride}, padding={Padding}, dilation=1, ceil_mode=False)";
}
