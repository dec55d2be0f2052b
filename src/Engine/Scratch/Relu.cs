namespace Engine.Scratch;

/// <summary>
/// ReLU layer (DLfS 5.5.1): out = max(x, 0). Forward caches the mask of the positions that pass
/// (x &gt; 0); backward lets dout through there and zeroes it where x ≤ 0.
/// </summary>
public sealed class Relu : ILayer
{
    private Tensor? _pass;

    /// <summary>
    /// DLfS's <c>mask</c>: 1 where x ≤ 0 (the positions the layer zeroes), 0 elsewhere; same shape as
    /// the last input. Null before the first <see cref="Forward"/>.
    /// </summary>
    public Tensor? Mask => _pass?.RSub(1);

    /// <summary>x [any shape] → max(x, 0) [same shape].</summary>
    public Tensor Forward(Tensor x)
    {
        _pass = x.Greater(0);
        return x.Relu();
    }

    /// <summary>dx = dout where x &gt; 0, else 0; dout has the shape of the last input.</summary>
    public Tensor Backward(Tensor dout)
    {
        if (_pass is null) throw new InvalidOperationException("Relu.Backward: call Forward first (the layer has no mask yet).");
        LayerChecks.SameShape("Relu.Backward", dout, _pass, "the last forward's input");
        return dout * _pass;
    }
}
