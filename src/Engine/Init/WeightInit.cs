namespace Engine;

/// <summary>
/// Weight initialisation (DLfS 6.2): weights = std · N(0, 1) with a fixed std (0.01), Xavier's
/// std = √(1/fanIn) for sigmoid/tanh, or He's std = √(2/fanIn) for ReLU. Samples come from the
/// CPU generator so a seed gives the same weights on every device.
/// </summary>
public static class WeightInit
{
    /// <summary>DLfS's default weight scale for TwoLayerNet.</summary>
    public const double DefaultStd = 0.01;

    /// <summary>Xavier (Glorot) std for a layer with <paramref name="fanIn"/> inputs: √(1/fanIn) (DLfS's form).</summary>
    public static double XavierStd(int fanIn) => Math.Sqrt(1.0 / CheckFanIn(fanIn));

    /// <summary>He (Kaiming) std for a ReLU layer with <paramref name="fanIn"/> inputs: √(2/fanIn).</summary>
    public static double HeStd(int fanIn) => Math.Sqrt(2.0 / CheckFanIn(fanIn));

    /// <summary>A tensor of std · N(0, 1) samples.</summary>
    public static Tensor Normal(int[] shape, double std, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (!(std >= 0) || double.IsInfinity(std))
            throw new ArgumentOutOfRangeException(nameof(std), $"WeightInit.Normal: std must be a finite number ≥ 0, got {std}.");
        var data = Tensor.HostDoubles("WeightInit.Normal", shape);
        InitSampling.Normal(data, 0, std, generator ?? Generator.Default);
        return Tensor.FromDoubles(data, shape, dtype, device);
    }

    /// <summary>Xavier-initialised weights [fanIn, fanOut].</summary>
    public static Tensor Xavier(int fanIn, int fanOut, DType dtype = DType.Float32, Device? device = null, Generator? generator = null) =>
        Normal([fanIn, fanOut], XavierStd(fanIn), dtype, device, generator);

    /// <summary>He-initialised weights [fanIn, fanOut].</summary>
    public static Tensor He(int fanIn, int fanOut, DType dtype = DType.Float32, Device? device = null, Generator? generator = null) =>
        Normal([fanIn, fanOut], HeStd(fanIn), dtype, device, generator);

    private static int CheckFanIn(int fanIn) =>
        fanIn > 0 ? fanIn : throw new ArgumentOutOfRangeException(nameof(fanIn), $"WeightInit: fan-in must be positive, got {fanIn}.");
}
