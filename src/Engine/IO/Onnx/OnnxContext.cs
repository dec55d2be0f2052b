namespace Engine.IO.Onnx;

/// <summary>
/// What an operator needs besides its tensor inputs: the model's opset, train/eval mode, and the
/// host integer constants (shapes, axes) that some inputs name. <see cref="OverwriteInput"/> is true when the
/// node may write its result into its first input (no graph is recorded and nothing else reads that value).
/// <see cref="FuseRelu"/> is true when a Conv's or Add's only reader is a Relu that the executor skips: the node
/// returns max(0, its result) (no graph is recorded). <see cref="Residual"/> is set when a Conv's only reader is a
/// residual Add that the executor skips: the Conv returns its result + Residual (then max(0, ·) with FuseRelu).
/// <see cref="Blocked"/> is set when the executor runs images in the blocked layout (<see cref="OnnxModel.BlockedLayout"/>):
/// a Conv that fits it returns a blocked image, and blocked inputs may reach Conv, pooling, BatchNormalization, Relu and Add.
/// </summary>
internal readonly record struct OnnxContext(int Opset, bool Training, IReadOnlyDictionary<string, long[]> Integers, OnnxNode Node,
    bool OverwriteInput, bool FuseRelu, Tensor? Residual, BlockedConvs? Blocked = null)
{
    /// <summary>The integer constant at input <paramref name="index"/>, or null when that input is omitted.</summary>
    public long[]? IntInput(int index)
    {
        if (index >= Node.Inputs.Count || Node.Inputs[index].Length == 0) return null;
        return Integers.TryGetValue(Node.Inputs[index], out var v)
            ? v
            : throw new NotSupportedException($"ONNX: {Node.Where}: input {index} ('{Node.Inputs[index]}') must be a constant int64 tensor (an initializer or Constant); computed shapes are not supported.");
    }
}
