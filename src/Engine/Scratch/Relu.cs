namespace Engine.Scratch;

/// <summary>
/// ReLU layer (DLfS 5.5.1): out = max(x, 0). Forward caches its input (DLfS caches the mask x ≤ 0;
/// <see cref="Mask"/> gives it); backward lets dout through where x &gt; 0 and zeroes it where x ≤ 0,
/// in one pass (the backend's ReluBackward).
/// </summary>
public sealed class Relu : ILayer
{
    private Tensor? _x;

    /// <summary>
    /// DLfS's <c>mask</c>: 1 where x ≤ 0 (the positions the layer zeroes), 0 elsewhere; same shape as
    /// the last input. Null before the first <see cref="Forward"/>.
    /// </summary>
    public Tensor? Mask
    {
        get
        {
            if (_x is null) return null;
            using var pass = _x.Greater(0);
            return pass.RSub(1);
        }
    }

    /// <summary>x [any shape] → max(x, 0) [same shape].</summary>
    public Tensor Forward(Tensor x)
    {
        _x = x;
        return x.Relu();
    }

    /// <summary>dx = dout where x &gt; 0, else 0; dout has the shape of the last input.</summary>
    public Tensor Backward(Tensor dout)
    {
        var x = LayerChecks.Dout("Relu.Backward", dout, _x, "input");
        var dx = Tensor.Empty(dout.Shape, dout.DType, dout.Device); // ReluBackward writes every element
        dout.Backend.ReluBackward(x, dout, dx);
        return dx;
    }
}
