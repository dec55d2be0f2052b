using Engine.Functional;

namespace Engine.Nn;

/// <summary>Softmax along <see cref="Dim"/> (torch.nn.Softmax(dim)).</summary>
public sealed class Softmax(int dim = -1) : Module
{
    /// <summary>The dimension the probabilities sum to 1 along.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Softmax(input, Dim);

    /// <inheritdoc/>
    public override string ToString() => $"Softmax(dim={Dim})";
}
