namespace Engine.Nn;

/// <summary>tanh x elementwise (torch.nn.Tanh).</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Tanh();

    /// <inheritdoc/>
    public override string ToString() => "Tanh()";
}
