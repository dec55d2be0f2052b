namespace Engine;

/// <summary>
/// Where every initialiser draws its numbers: the three weight-initialisation APIs of the book —
/// DLfS's <see cref="WeightInit"/>, PyTorch's <see cref="Nn.Init"/> and Keras's
/// <see cref="Layers.Initializer"/> — fill host arrays here from a seeded CPU <see cref="Generator"/>,
/// so a seed gives the same weights on every device, and compute fan-in/fan-out here in the two
/// layouts those libraries use.
/// </summary>
internal static class InitSampling
{
    /// <summary>v[i] = mean + std·z, z ~ N(0, 1).</summary>
    public static void Normal(Span<double> v, double mean, double std, Generator generator)
    {
        generator.FillNormal(v);
        for (int i = 0; i < v.Length; i++) v[i] = mean + std * v[i];
    }

    /// <summary>v[i] ~ U[low, high).</summary>
    public static void Uniform(Span<double> v, double low, double high, Generator generator) =>
        generator.FillUniform(v, low, high);

    /// <summary>v[i] = std·z with z ~ N(0, 1) redrawn until |z| ≤ 2 (TensorFlow's truncated normal).</summary>
    public static void TruncatedNormal(Span<double> v, double std, Generator generator)
    {
        for (int i = 0; i < v.Length; i++)
        {
            double z;
            do z = generator.NextNormal(); while (Math.Abs(z) > 2);
            v[i] = std * z;
        }
    }

    /// <summary>
    /// PyTorch's fans of a weight [out, in, k…] (rank ≥ 2): fan_in = in·Πk, fan_out = out·Πk
    /// (torch.nn.init._calculate_fan_in_and_fan_out).
    /// </summary>
    public static (int FanIn, int FanOut) TorchFans(int[] shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"Init: fan in and fan out need a tensor of rank ≥ 2, got shape {Tensor.ShapeString(shape)}.");
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>
    /// Keras's fans of a channels-last kernel [k…, in, out]: fan_in = in·Πk, fan_out = out·Πk; a vector
    /// [n] has both n, a scalar both 1.
    /// </summary>
    public static (double FanIn, double FanOut) KerasFans(int[] shape)
    {
        if (shape.Length == 0) return (1, 1);
        if (shape.Length == 1) return (shape[0], shape[0]);
        double field = 1;
        for (int i = 0; i < shape.Length - 2; i++) field *= shape[i];
        return (shape[^2] * field, shape[^1] * field);
    }
}
