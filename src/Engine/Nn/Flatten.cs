namespace Engine.Nn;

/// <summary>[N, d1, d2, …] → [N, d1·d2·…] (torch.nn.Flatten with start_dim = 1 by default).</summary>
public sealed class Flatten(int startDim = 1) : Module
{
    /// <summary>First dimension that is merged.</summary>
    public int StartDim { get; } = startDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim);

    /// <inheritdoc/>
    public override string ToString() => $"Flatten(start_dim={StartDim})";
}
