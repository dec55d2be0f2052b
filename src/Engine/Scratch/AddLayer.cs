namespace Engine.Scratch;

/// <summary>Addition node of a computational graph (DLfS 5.4.2): forward x + y, backward passes dout to both inputs.</summary>
public sealed class AddLayer
{
    /// <summary>out = x + y (nothing to remember: the local derivatives are 1).</summary>
    public double Forward(double x, double y) => x + y;

    /// <summary>dx = dout, dy = dout.</summary>
    public (double Dx, double Dy) Backward(double dout) => (dout, dout);
}
