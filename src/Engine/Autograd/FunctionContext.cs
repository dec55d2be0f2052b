namespace Engine;

/// <summary>
/// What a custom <see cref="Function{TSelf}"/> keeps between its forward and backward (PyTorch's
/// <c>ctx</c>): tensors saved with <see cref="SaveForBackward"/>, any other values in <see cref="Values"/>,
/// and which inputs need a gradient.
/// </summary>
public sealed class FunctionContext
{
    private Tensor[] _saved = [];
    private int[][] _savedShapes = [];

    internal FunctionContext(string name, Tensor[] inputs)
    {
        Name = name;
        NeedsInputGrad = inputs.Select(t => t.RequiresGrad).ToArray();
    }

    /// <summary>The function's name (its class name), used in error messages.</summary>
    public string Name { get; }

    /// <summary>needs_input_grad: true for each input that requires a gradient.</summary>
    public bool[] NeedsInputGrad { get; }

    /// <summary>Non-tensor values the backward needs (ctx.constant = … in PyTorch).</summary>
    public Dictionary<string, object> Values { get; } = new();

    /// <summary>Keeps tensors for the backward (ctx.save_for_backward). Call once, from Forward.</summary>
    public void SaveForBackward(params Tensor[] tensors)
    {
        foreach (var t in tensors)
            if (t.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"{Name}.SaveForBackward: a tensor of shape {Tensor.ShapeString(t.Shape)} was already disposed.");
        _saved = (Tensor[])tensors.Clone();
        _savedShapes = tensors.Select(t => t.Shape).ToArray();
    }

    /// <summary>The tensors given to <see cref="SaveForBackward"/> (ctx.saved_tensors); throws if one was disposed since.</summary>
    public IReadOnlyList<Tensor> SavedTensors
    {
        get
        {
            for (int i = 0; i < _saved.Length; i++)
                if (_saved[i].IsDisposed)
                    throw new ObjectDisposedException(nameof(Tensor), $"{Name}.Backward: saved tensor {i} (shape {Tensor.ShapeString(_savedShapes[i])}) was disposed before the backward pass; keep it alive (out of the Scope that freed it) until Backward() has run.");
            return _saved;
        }
    }
}
