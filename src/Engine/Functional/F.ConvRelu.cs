namespace Engine.Functional;

// Conv2d followed by ReLU, or by the residual Add and ReLU, for inference (what ONNX Runtime's Conv+Relu and
// Conv+Add+Relu fusions do): on the CPU's implicit-GEMM conv the residual and max(0, ·) are applied in the pass that
// adds the bias to each output tile, so no second pass reads and writes the activations. The result equals
// Relu(Conv2d(...) + residual) bit for bit: the same sums, the same additions in the same order, the same comparison.
public static partial class F
{
    /// <summary>
    /// relu(conv2d(x, weight, bias, stride, padding, dilation, groups)) (arguments as F.Conv2d with (h, w) pairs).
    /// Fused into the conv's output pass where Conv2d takes the CPU's implicit conv and nothing needs a gradient;
    /// otherwise Conv2d then ReLU (<see cref="ConvAfter"/>).
    /// </summary>
    internal static Tensor Conv2dRelu(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation, int groups)
        => Conv2dWith(input, weight, bias, stride, padding, dilation, groups, residual: null, relu: true);

    /// <summary>
    /// conv2d(x, weight, bias, …) + residual, then max(0, ·) with <paramref name="relu"/>: a residual block's last conv,
    /// its Add and Relu. Fused into the conv's output pass where Conv2d takes the CPU's implicit conv, nothing needs a
    /// gradient and the residual has the conv output's shape, type and device; otherwise Conv2d, Add (broadcasting),
    /// then ReLU (<see cref="ConvAfter"/>).
    /// </summary>
    internal static Tensor Conv2dAddRelu(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation, int groups,
        Tensor residual, bool relu)
        => Conv2dWith(input, weight, bias, stride, padding, dilation, groups, residual, relu);

    /// <summary>Whether a residual can go into the implicit conv's output pass: y's shape, x's type and device, no gradient wanted.</summary>
    private static bool FitsOutput(Tensor residual, Tensor x, int[] yShape) =>
        !NeedsGrad([residual]) && residual.DType == x.DType && residual.Device == x.Device && residual.ShapeRef.AsSpan().SequenceEqual(yShape);

    /// <summary>
    /// y + residual (when given), then max(0, ·) when <paramref name="relu"/>: recorded by autograd when y or the residual
    /// has a backward, else over the fresh y in place where the shapes allow.
    /// </summary>
    private static Tensor ConvAfter(Tensor y, Tensor? residual, bool relu)
    {
        if (residual is not null)
        {
            bool inPlace = y.GradFn is null && !NeedsGrad([residual]) && residual.DType == y.DType && residual.Device == y.Device
                && residual.ShapeRef.AsSpan().SequenceEqual(y.ShapeRef);
            if (inPlace) y.Backend.Binary(BinaryOp.Add, y, residual, y);
            else y = y + residual;
        }
        if (!relu) return y;
        if (y.GradFn is not null) return y.Relu();
        y.Backend.Unary(UnaryOp.Relu, y, y);
        return y;
    }
}
