
namespace Engine.Scratch;

/// <summary>
/// DLfS's fully connected multi-layer net (6.x): (Affine → ReLU|Sigmoid) per hidden size, then a last
/// Affine and SoftmaxWithLoss. Params W1 b1 … W{L} b{L}; weights std · N(0, 1) with std from
/// <see cref="WeightInitStd"/> per layer's fan-in, biases 0; optional L2 weight decay
/// (loss + ½λΣ‖W‖², gradient + λW).
/// </summary>
public sealed class MultiLayerNet : LayerNet
{
    /// <summary>Builds the net; <paramref name="weightInitStd"/> defaults to He ("relu").</summary>
    public MultiLayerNet(int inputSize, int[] hiddenSizeList, int outputSize, string activation = "relu",
        WeightInitStd? weightInitStd = null, double weightDecayLambda = 0,
        Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        if (inputSize <= 0 || outputSize <= 0 || hiddenSizeList.Any(h => h <= 0))
            throw new ArgumentOutOfRangeException(nameof(hiddenSizeList), $"MultiLayerNet: sizes must be positive, got {inputSize}-[{string.Join(", ", hiddenSizeList)}]-{outputSize}.");
        string act = activation.ToLowerInvariant();
        if (act is not ("relu" or "sigmoid"))
            throw new ArgumentException($"MultiLayerNet: activation must be \"relu\" or \"sigmoid\", got \"{activation}\".");
        if (!(weightDecayLambda >= 0))
            throw new ArgumentOutOfRangeException(nameof(weightDecayLambda), $"MultiLayerNet: weightDecayLambda must be ≥ 0, got {weightDecayLambda}.");
        InputSize = inputSize;
        DType = dtype;
        HiddenSizeList = (int[])hiddenSizeList.Clone();
        Activation = act;
        WeightDecayLambda = weightDecayLambda;
        var init = weightInitStd ?? WeightInitStd.He;
        int[] sizes = [inputSize, .. hiddenSizeList, outputSize];
        for (int k = 1; k < sizes.Length; k++)
        {
            var w = AddParam($"W{k}", WeightInit.Normal([sizes[k - 1], sizes[k]], init.StdFor(sizes[k - 1]), dtype, device, generator));
            var b = AddParam($"b{k}", Tensor.Zeros([sizes[k]], dtype, device));
            Layers.Add($"Affine{k}", new Affine(w, b));
            if (k < sizes.Length - 1)
                Layers.Add(act == "relu" ? $"Relu{k}" : $"Sigmoid{k}", act == "relu" ? new Relu() : new Sigmoid());
        }
    }

    /// <summary>Hidden layer widths.</summary>
    public int[] HiddenSizeList { get; }

    /// <summary>"relu" or "sigmoid".</summary>
    public string Activation { get; }

    /// <summary>L2 weight-decay strength λ.</summary>
    public double WeightDecayLambda { get; }

    /// <summary>Cross-entropy plus ½λ Σ_k ‖W_k‖².</summary>
    public override Tensor LossTensor(Tensor x, Tensor t)
    {
        var loss = base.LossTensor(x, t);
        if (WeightDecayLambda == 0) return loss;
        double decay = 0;
        foreach (var (name, p) in Params)
        {
            if (!name.StartsWith('W')) continue;
            using var sq = p.Square();
            using var s = sq.Sum();
            decay += 0.5 * WeightDecayLambda * s.Item();
        }
        return loss + decay;
    }

    /// <inheritdoc/>
    protected override Tensor WeightDecayGradient(Tensor w, Tensor dW)
    {
        if (WeightDecayLambda == 0) return dW;
        using var decay = w * WeightDecayLambda;
        return dW + decay;
    }
}
