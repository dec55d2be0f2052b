
namespace Engine.Scratch;

/// <summary>
/// DLfS's two-layer net (5.7): Affine1 → Relu1 → Affine2, then SoftmaxWithLoss. Params W1 [in, hidden],
/// b1 [hidden], W2 [hidden, out], b2 [out]; weights weightInitStd · N(0, 1), biases 0.
/// </summary>
public sealed class TwoLayerNet : LayerNet
{
    /// <summary>Builds the net with weights drawn from <paramref name="generator"/> (or the default one).</summary>
    public TwoLayerNet(int inputSize, int hiddenSize, int outputSize, double weightInitStd = WeightInit.DefaultStd,
        Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || outputSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inputSize), $"TwoLayerNet: sizes must be positive, got {inputSize}-{hiddenSize}-{outputSize}.");
        InputSize = inputSize;
        DType = dtype;
        var w1 = AddParam("W1", WeightInit.Normal([inputSize, hiddenSize], weightInitStd, dtype, device, generator));
        var b1 = AddParam("b1", Tensor.Zeros([hiddenSize], dtype, device));
        var w2 = AddParam("W2", WeightInit.Normal([hiddenSize, outputSize], weightInitStd, dtype, device, generator));
        var b2 = AddParam("b2", Tensor.Zeros([outputSize], dtype, device));
        Layers.Add("Affine1", new Affine(w1, b1));
        Layers.Add("Relu1", new Relu());
        Layers.Add("Affine2", new Affine(w2, b2));
    }
}
