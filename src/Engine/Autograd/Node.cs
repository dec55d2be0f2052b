namespace Engine;

/// <summary>
/// One recorded op of the autograd graph: the tensors it read and a function that turns the
/// gradient of its output into gradients of those inputs (null where an input needs none).
/// </summary>
public sealed class Node(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    /// <summary>The op's name (for error messages and graph printing), e.g. "MatMul".</summary>
    public string Name { get; } = name;

    /// <summary>The op's inputs, in order.</summary>
    public Tensor[] Inputs { get; } = inputs;

    /// <summary>gradOutput → gradient per input.</summary>
    public Func<Tensor, Tensor?[]> Backward { get; } = backward;

    /// <summary>
    /// True once a backward pass ran through this node without <c>retainGraph</c>: like PyTorch, which frees
    /// the saved tensors then, a second pass through it is refused instead of adding the gradients again.
    /// </summary>
    public bool Released { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() => $"<{Name}Backward>";
}
