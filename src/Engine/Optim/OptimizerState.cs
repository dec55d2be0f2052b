namespace Engine.Optim;

/// <summary>
/// What an optimiser remembers about one parameter: named state tensors (velocity, squared-gradient
/// sums, Adam's moments) created as zeros like the parameter and marked persistent so tensor scopes
/// leave them alone, and the number of updates applied so far (Adam's bias correction).
/// </summary>
public sealed class OptimizerState
{
    private readonly Dictionary<string, Tensor> _slots = new();

    /// <summary>Updates applied to this parameter so far.</summary>
    public int Step { get; internal set; }

    /// <summary>The state tensors by name ("v", "h", "m", …).</summary>
    public IReadOnlyDictionary<string, Tensor> Slots => _slots;

    /// <summary>The state tensor <paramref name="name"/>, created as zeros like <paramref name="param"/> on first use (and moved along if the parameter changed device).</summary>
    public Tensor Slot(string name, Tensor param)
    {
        if (!_slots.TryGetValue(name, out var t))
        {
            t = Tensor.ZerosLike(param);
            t.Persistent = true;
            _slots[name] = t;
        }
        else if (t.Device != param.Device) t.MoveTo(param.Device);
        return t;
    }
}
