namespace Engine.Nn;

/// <summary>
/// Flattens dimensions start_dim … end_dim into one (torch.nn.Flatten(start_dim=1, end_dim=-1)):
/// [N, C, H, W] → [N, C·H·W] by default. Negative dims count from the end.
/// </summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <summary>First dimension flattened.</summary>
    public int StartDim { get; } = startDim;

    /// <summary>Last dimension flattened.</summary>
    public int EndDim { get; } = endDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int rank = Math.Max(input.Rank, 1);
        int start = StartDim < 0 ? StartDim + rank : StartDim, end = EndDim < 0 ? EndDim + rank : EndDim;
        if (start < 0 || start >= rank || end < 0 || end >= rank || start > end)
            throw new ArgumentException($"Flatten: start_dim {StartDim} and end_dim {EndDim} must name dimensions of the input {Tensor.ShapeString(input.Shape)} with start ≤ end.");
        if (input.Rank == 0) return input.Reshape(1);
        var shape = input.Shape;
        int[] flat = [.. shape[..start], -1, .. shape[(end + 1)..]];
        // An empty span: the product of zero sizes cannot be inferred with −1, so write it out.
        if (shape[start..(end + 1)].Any(d => d == 0)) flat[start] = 0;
        return input.Reshape(flat);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Flatten(start_dim={StartDim}, end_dim={EndDim})";
}
