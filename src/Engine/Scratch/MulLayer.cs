namespace Engine.Scratch;

/// <summary>Multiplication node of a computational graph (DLfS 5.4.1): forward x·y, backward swaps the inputs.</summary>
public sealed class MulLayer
{
    private double _x, _y;

    /// <summary>out = x · y; remembers x and y.</summary>
    public double Forward(double x, double y)
    {
        _x = x;
        _y = y;
        return x * y;
    }

    /// <summary>dx = dout · y, dy = dout · x.</summary>
    public (double Dx, double Dy) Backward(double dout) => (dout * _y, dout * _x);
}
