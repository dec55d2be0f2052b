namespace Engine.Nn;

/// <summary>
/// Weight initialisation schemes (torch.nn.init). Each fills a tensor in place with numbers drawn on
/// the CPU from <c>generator</c> (or <see cref="Generator.Default"/>), so a seed gives the same
/// weights on every device, and returns the tensor. Fan-in/fan-out follow PyTorch: for a weight
/// [out, in, k…] fan_in = in·Πk and fan_out = out·Πk.
/// </summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) of a weight of rank ≥ 2 (PyTorch's _calculate_fan_in_and_fan_out).</summary>
    public static (int FanIn, int FanOut) Fans(Tensor t) => InitSampling.TorchFans(t.Shape);

    /// <summary>
    /// The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): linear/sigmoid 1,
    /// tanh 5/3, relu √2, leaky_relu √(2/(1+a²)).
    /// </summary>
    public static double CalculateGain(string nonlinearity, double param = 0.01) => nonlinearity switch
    {
        "linear" or "conv1d" or "conv2d" or "sigmoid" => 1.0,
        "tanh" => 5.0 / 3,
        "relu" => Math.Sqrt(2.0),
        "leaky_relu" => Math.Sqrt(2.0 / (1 + param * param)),
        _ => throw new ArgumentException($"CalculateGain: unknown nonlinearity '{nonlinearity}'; expected linear, sigmoid, tanh, relu or leaky_relu."),
    };

    /// <summary>U(low, high).</summary>
    public static Tensor Uniform(Tensor t, double low = 0, double high = 1, Generator? generator = null) =>
        Fill(t, "Init.Uniform", v => InitSampling.Uniform(v, low, high, generator ?? Generator.Default));

    /// <summary>N(mean, std²).</summary>
    public static Tensor Normal(Tensor t, double mean = 0, double std = 1, Generator? generator = null) =>
        Fill(t, "Init.Normal", v => InitSampling.Normal(v, mean, std, generator ?? Generator.Default));

    /// <summary>Every element 0.</summary>
    public static Tensor Zeros(Tensor t) => Constant(t, 0);

    /// <summary>Every element 1.</summary>
    public static Tensor Ones(Tensor t) => Constant(t, 1);

    /// <summary>Every element <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor t, double value)
    {
        using (Tensor.NoGrad()) t.FillInPlace(value);
        return t;
    }

    /// <summary>
    /// Kaiming (He) uniform: U(−b, b), b = gain·√(3/fan), gain from <paramref name="nonlinearity"/> with
    /// slope <paramref name="a"/>. PyTorch's Linear/Conv default is a = √5 → b = 1/√fan_in.
    /// </summary>
    public static Tensor KaimingUniform(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(t, mode, "KaimingUniform"));
        double bound = Math.Sqrt(3.0) * std;
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>Kaiming (He) normal: N(0, (gain/√fan)²).</summary>
    public static Tensor KaimingNormal(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        double std = CalculateGain(nonlinearity, a) / Math.Sqrt(Fan(t, mode, "KaimingNormal"));
        return Normal(t, 0, std, generator);
    }

    /// <summary>
    /// PyTorch's default parameters of Linear and Conv (their reset_parameters): the weight by
    /// KaimingUniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in), then a bias [out] (when asked) from
    /// U(−1/√fan_in, 1/√fan_in), both drawn in that order from <paramref name="generator"/>.
    /// </summary>
    internal static (Tensor Weight, Tensor? Bias) DefaultWeightAndBias(int[] weightShape, bool bias, DType dtype, Device? device, Generator? generator)
    {
        var w = Tensor.Zeros(weightShape, dtype, device);
        KaimingUniform(w, a: Math.Sqrt(5), generator: generator);
        if (!bias) return (w, null);
        double bound = 1 / Math.Sqrt(Fans(w).FanIn);
        var b = Tensor.Zeros([weightShape[0]], dtype, device);
        Uniform(b, -bound, bound, generator);
        return (w, b);
    }

    /// <summary>Xavier (Glorot) uniform: U(−b, b), b = gain·√(6/(fan_in+fan_out)).</summary>
    public static Tensor XavierUniform(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>Xavier (Glorot) normal: N(0, gain²·2/(fan_in+fan_out)).</summary>
    public static Tensor XavierNormal(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t);
        return Normal(t, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    private static int Fan(Tensor t, string mode, string op)
    {
        var (fanIn, fanOut) = Fans(t);
        return mode switch
        {
            "fan_in" => fanIn,
            "fan_out" => fanOut,
            _ => throw new ArgumentException($"{op}: mode must be fan_in or fan_out, got '{mode}'."),
        };
    }

    /// <summary>Draws t.Size host values with <paramref name="sample"/> and copies them into t (any device, any float dtype) without recording a graph.</summary>
    private static Tensor Fill(Tensor t, string op, Action<double[]> sample)
    {
        t.CheckFloat(op);
        var data = new double[t.Size];
        sample(data);
        using (Tensor.NoGrad())
        {
            using var src = Tensor.FromDoubles(data, t.Shape, t.DType, t.Device);
            t.CopyFrom(src);
        }
        return t;
    }
}
