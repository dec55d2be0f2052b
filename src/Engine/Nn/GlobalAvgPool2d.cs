using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Global average pooling (Keras GlobalAveragePooling2D; torch AdaptiveAvgPool2d(1) + Flatten):
/// [N, C, H, W] → [N, C], the mean of each channel plane ([N, C, 1, 1] with keepDim).
/// </summary>
public sealed class GlobalAvgPool2d(bool keepDim = false) : Module
{
    /// <summary>True: output [N, C, 1, 1]; false: [N, C].</summary>
    public bool KeepDim { get; } = keepDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.GlobalAvgPool2d(input, KeepDim);

    /// <inheritdoc/>
    public override string ToString() => $"GlobalAvgPool2d(keep_dim={(KeepDim ? "True" : "False")})";
}
