namespace Engine.Scratch;

/// <summary>
/// Dropout layer (DLfS 6.4.3), DLfS's non-inverted form: in training each element passes with
/// probability 1 − ratio (mask = rand &gt; ratio, drawn on the CPU) and is not rescaled; at test time
/// every element is scaled by 1 − ratio. Backward multiplies dout by the same mask.
/// <see cref="ILayer.Forward"/> follows <see cref="Training"/>; <see cref="Forward(Tensor, bool)"/> takes DLfS's train_flg.
/// </summary>
public sealed class Dropout : ILayer
{
    private readonly Generator? _generator;

    /// <summary>A layer dropping a fraction <paramref name="dropoutRatio"/>; masks come from <paramref name="generator"/> (or the default one).</summary>
    public Dropout(double dropoutRatio = 0.5, Generator? generator = null)
    {
        LayerChecks.DropoutRatio(dropoutRatio);
        DropoutRatio = dropoutRatio;
        _generator = generator;
    }

    /// <summary>Fraction of elements dropped in training.</summary>
    public double DropoutRatio { get; }

    /// <summary>Mode used by <see cref="Forward(Tensor)"/>: true drops, false scales.</summary>
    public bool Training { get; set; } = true;

    /// <summary>The 0/1 mask of the last training forward (DLfS <c>mask</c>); null before.</summary>
    public Tensor? Mask { get; private set; }

    /// <summary>Forward in the mode of <see cref="Training"/>.</summary>
    public Tensor Forward(Tensor x) => Forward(x, Training);

    /// <summary>x → x·mask (training) or x·(1 − ratio) (test); same shape.</summary>
    public Tensor Forward(Tensor x, bool trainFlg)
    {
        x.CheckFloat("Dropout.Forward");
        if (!trainFlg) return x * (1 - DropoutRatio);
        var g = _generator ?? Generator.Default;
        var bits = new double[x.Size];
        for (int i = 0; i < bits.Length; i++) bits[i] = g.NextDouble() > DropoutRatio ? 1 : 0;
        Mask = Tensor.FromDoubles(bits, x.Shape, x.DType, x.Device);
        var y = Tensor.ZerosLike(x);
        x.Backend.Dropout(x, Mask, 1, y);
        return y;
    }

    /// <summary>dout · mask.</summary>
    public Tensor Backward(Tensor dout)
    {
        var mask = LayerChecks.Dout("Dropout.Backward", dout, Mask, "training-mode mask");
        var dx = Tensor.ZerosLike(dout);
        dout.Backend.Dropout(dout, mask, 1, dx);
        return dx;
    }
}
