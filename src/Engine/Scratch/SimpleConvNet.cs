namespace Engine.Scratch;

/// <summary>
/// DLfS's SimpleConvNet (7.5): Conv1 (filterNum filters filterSize², stride, pad) → Relu1 → Pool1
/// (2×2, stride 2) → Affine1 (hiddenSize) → Relu2 → Affine2 (outputSize), then SoftmaxWithLoss.
/// Params W1 [FN, C, FS, FS], b1, W2 [FN·(OH/2)·(OW/2), hidden], b2, W3 [hidden, out], b3; weights
/// weightInitStd · N(0, 1), biases 0. Defaults are the book's: input 1×28×28, 30 filters 5×5, hidden 100.
/// </summary>
public sealed class SimpleConvNet : LayerNet
{
    /// <summary>Builds the net with weights drawn from <paramref name="generator"/> (or the default one).</summary>
    public SimpleConvNet(int[]? inputDim = null, int filterNum = 30, int filterSize = 5, int pad = 0, int stride = 1,
        int hiddenSize = 100, int outputSize = 10, double weightInitStd = WeightInit.DefaultStd,
        Generator? generator = null, DType dtype = DType.Float32, Device? device = null)
    {
        int[] dim = inputDim ?? [1, 28, 28];
        if (dim.Length != 3 || dim.Any(v => v <= 0))
            throw new ArgumentException($"SimpleConvNet: input_dim must be [C, H, W] with positive sizes, got {Tensor.ShapeString(dim)}.");
        if (filterNum <= 0 || filterSize <= 0 || stride <= 0 || pad < 0 || hiddenSize <= 0 || outputSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(filterNum), $"SimpleConvNet: sizes must be positive (pad ≥ 0), got filter_num {filterNum}, filter_size {filterSize}, stride {stride}, pad {pad}, hidden {hiddenSize}, output {outputSize}.");
        if (dim[1] != dim[2])
            throw new ArgumentException($"SimpleConvNet: expects square images like DLfS, got {dim[1]}×{dim[2]}.");
        int inputSize = dim[1];
        // Sizes in 64 bits so a huge pad or filter count is refused, never wrapped.
        long convOutputSize = (inputSize - filterSize + 2L * pad) / stride + 1;
        if (inputSize + 2L * pad < filterSize || convOutputSize < 2)
            throw new ArgumentException($"SimpleConvNet: a {filterSize}×{filterSize} filter (pad {pad}, stride {stride}) leaves a {convOutputSize}×{convOutputSize} map of a {inputSize}×{inputSize} input; the 2×2 pooling needs at least 2×2.");
        if (convOutputSize > int.MaxValue)
            throw new ArgumentException($"SimpleConvNet: the conv output {convOutputSize}×{convOutputSize} is too large for a tensor.");
        long poolOutputSize = Tensor.CheckedSize("SimpleConvNet", [filterNum, (int)(convOutputSize / 2), (int)(convOutputSize / 2)]);
        InputSize = dim[0] * dim[1] * dim[2];
        DType = dtype;
        var w1 = AddParam("W1", WeightInit.Normal([filterNum, dim[0], filterSize, filterSize], weightInitStd, dtype, device, generator));
        var b1 = AddParam("b1", Tensor.Zeros([filterNum], dtype, device));
        var w2 = AddParam("W2", WeightInit.Normal([(int)poolOutputSize, hiddenSize], weightInitStd, dtype, device, generator));
        var b2 = AddParam("b2", Tensor.Zeros([hiddenSize], dtype, device));
        var w3 = AddParam("W3", WeightInit.Normal([hiddenSize, outputSize], weightInitStd, dtype, device, generator));
        var b3 = AddParam("b3", Tensor.Zeros([outputSize], dtype, device));
        Layers.Add("Conv1", new Convolution(w1, b1, stride, pad));
        Layers.Add("Relu1", new Relu());
        Layers.Add("Pool1", new Pooling(2, 2, stride: 2));
        Layers.Add("Affine1", new Affine(w2, b2));
        Layers.Add("Relu2", new Relu());
        Layers.Add("Affine2", new Affine(w3, b3));
    }
}
