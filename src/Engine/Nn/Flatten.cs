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
        input.CheckAlive("Flatten");
        int rank = Math.Max(input.Rank, 1);
        int start = StartDim < 0 ? StartDim + rank : StartDim, end = EndDim < 0 ? EndDim + rank : EndDim;
        if (start < 0 || start >= rank || end < 0 || end >= rank || start > end)
            throw new ArgumentException($"Flatten: start_dim {StartDim} and end_dim {EndDim} must name dimensions of the input {Tensor.ShapeString(input.Shape)} with start ≤ end.");
        if (input.Rank == 0) return input.Reshape(1);
        var shape = input.Shape;
        // The flattened span's size is written out (−1 cannot be inferred when another dimension is 0).
        int span = (int)Tensor.CheckedSize("Flatten", shape.AsSpan(start, end - start + 1));
        return input.Reshape([.. shape[..start], span, .. shape[(end + 1)..]]);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Flatten(start_dim={StartDim}, end_dim={EndDim})";
}
