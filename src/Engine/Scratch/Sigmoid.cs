namespace Engine.Scratch;

/// <summary>
/// Sigmoid layer (DLfS 5.5.2): out = 1/(1+e^−x). Forward caches its output y; backward is
/// dx = dout · y · (1 − y) (the backend's fused SigmoidBackward).
/// </summary>
public sealed class Sigmoid : ILayer
{
    /// <summary>The last forward's output (DLfS's <c>out</c>); null before the first forward.</summary>
    public Tensor? Out { get; private set; }

    /// <summary>x [any shape] → sigmoid(x) [same shape].</summary>
    public Tensor Forward(Tensor x)
    {
        x.CheckFloat("Sigmoid.Forward");
        Out = x.Sigmoid();
        return Out;
    }

    /// <summary>dx = dout · y · (1 − y); dout has the shape of the last output.</summary>
    public Tensor Backward(Tensor dout)
    {
        var y = LayerChecks.Dout("Sigmoid.Backward", dout, Out, "output");
        var dx = Tensor.ZerosLike(dout);
        y.Backend.SigmoidBackward(y, dout, dx);
        return dx;
    }
}
