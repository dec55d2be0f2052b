namespace Engine.Scratch;

/// <summary>
/// Max-pooling layer (DLfS 7.4.4): x [N, C, H, W] → [N, C, OH, OW], the maximum of each poolH×poolW
/// window. Forward caches the position of each maximum (<see cref="ArgMax"/>, DLfS <c>arg_max</c>);
/// backward routes dout there. Padding (at most half the window) is skipped rather than read as 0,
/// so it never wins the max (DLfS pads with zeros; the two agree whenever pad = 0, the book's use).
/// </summary>
public sealed class Pooling : ILayer
{
    private int[]? _xShape;

    /// <summary>A poolH×poolW window moved by <paramref name="stride"/>.</summary>
    public Pooling(int poolH, int poolW, int stride = 1, int pad = 0)
    {
        LayerChecks.PoolingParams(poolH, poolW, stride, pad);
        PoolH = poolH;
        PoolW = poolW;
        Stride = stride;
        Pad = pad;
    }

    /// <summary>Window height.</summary>
    public int PoolH { get; }

    /// <summary>Window width.</summary>
    public int PoolW { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit padding on every side.</summary>
    public int Pad { get; }

    /// <summary>Int32 [N, C, OH, OW]: flat h·W + w of each window's maximum in its plane; null before the first forward.</summary>
    public Tensor? ArgMax { get; private set; }

    /// <summary>x [N, C, H, W] → [N, C, OH, OW].</summary>
    public Tensor Forward(Tensor x)
    {
        var (oh, ow) = LayerChecks.PoolingInput(x, PoolH, PoolW, Stride, Pad);
        int[] shape = [x.Dim(0), x.Dim(1), oh, ow];
        var y = Tensor.Zeros(shape, x.DType, x.Device);
        ArgMax = Tensor.Zeros(shape, DType.Int32, x.Device);
        _xShape = x.Shape;
        x.Backend.MaxPool2d(x, PoolH, PoolW, Stride, Pad, y, ArgMax);
        return y;
    }

    /// <summary>dout [N, C, OH, OW] → dx [N, C, H, W]: each dout element goes to its window's maximum.</summary>
    public Tensor Backward(Tensor dout)
    {
        var argMax = LayerChecks.PoolingDout(dout, ArgMax);
        var dx = Tensor.Zeros(_xShape!, dout.DType, dout.Device);
        dout.Backend.MaxPool2dBackward(dout, argMax, dx);
        return dx;
    }
}
