using Engine.Functional;

namespace Engine.Nn;

/// <summary>Log-softmax along <see cref="Dim"/> (torch.nn.LogSoftmax(dim)): x − max − log Σ exp(x − max).</summary>
public sealed class LogSoftmax(int dim = -1) : Module
{
    /// <summary>The dimension normalised over.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.LogSoftmax(input, Dim);

    /// <inheritdoc/>
    public override string ToString() => $"LogSoftmax(dim={Dim})";
}
