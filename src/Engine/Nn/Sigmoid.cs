namespace Engine.Nn;

/// <summary>1/(1+e^−x) elementwise (torch.nn.Sigmoid).</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();

    /// <inheritdoc/>
    public override string ToString() => "Sigmoid()";
}
