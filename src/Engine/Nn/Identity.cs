namespace Engine.Nn;

/// <summary>Returns its input unchanged (torch.nn.Identity).</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input;

    /// <inheritdoc/>
    public override string ToString() => "Identity()";
}
