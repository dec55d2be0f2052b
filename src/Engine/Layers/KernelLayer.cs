namespace Engine.Layers;

/// <summary>
/// What keras.layers.Dense and Conv2D share: a kernel, an optional bias, their initialisers (GlorotUniform
/// and Zeros by default, as in Keras) and the activation applied after x·kernel + bias.
/// </summary>
public abstract class KernelLayer : Layer
{
    /// <summary>Checks the activation name and keeps the settings; <paramref name="className"/> names the layer in errors.</summary>
    private protected KernelLayer(string className, string? activation, bool useBias, Initializer? kernelInitializer,
        Initializer? biasInitializer, string? name, int[]? inputShape) : base(name, inputShape)
    {
        Activation = Activations.Check(activation, className);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Zeros();
    }

    /// <summary>Activation name ("linear" when none).</summary>
    public string Activation { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>How the kernel is initialised.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>How the bias is initialised.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>The kernel (after Build); its shape is the layer's.</summary>
    public Tensor Kernel => Weights[0].Value;

    /// <summary>[outputs], or null without a bias.</summary>
    public Tensor? Bias => UseBias ? Weights[1].Value : null;

    /// <summary>Adds the weights "kernel" (<paramref name="kernelShape"/>, outputs last) and, with a bias, "bias" [outputs].</summary>
    private protected void AddKernelAndBias(int[] kernelShape, DType dtype, Device device, Generator generator)
    {
        AddWeight("kernel", kernelShape, KernelInitializer, true, dtype, device, generator);
        if (UseBias) AddWeight("bias", [kernelShape[^1]], BiasInitializer, true, dtype, device, generator);
    }

    /// <summary>The Keras config entries of these settings.</summary>
    private protected void AddConfig(Dictionary<string, object?> config)
    {
        config["activation"] = Activation;
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = Config.Of(KernelInitializer);
        config["bias_initializer"] = Config.Of(BiasInitializer);
    }
}
