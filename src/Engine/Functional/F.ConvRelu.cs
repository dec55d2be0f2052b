namespace Engine.Functional;

// Conv2d followed by ReLU for inference (what ONNX Runtime's Conv+Relu fusion does): on the CPU's implicit-GEMM
// conv the max(0, ·) is applied in the pass that adds the bias to each output tile, so no second pass reads and
// writes the activations. The result equals Relu(Conv2d(...)) bit for bit: the same sums, the same comparison.
public static partial class F
{
    /// <summary>
    /// relu(conv2d(x, weight, bias, stride, padding, dilation, groups)) (arguments as F.Conv2d with (h, w) pairs).
    /// Fused into the conv's output pass where Conv2d takes the CPU's implicit conv and nothing needs a gradient;
    /// otherwise Conv2d then ReLU (<see cref="ReluAfter"/>).
    /// </summary>
    internal static Tensor Conv2dRelu(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation = null, int groups = 1)
        => Conv2dWith(input, weight, bias, stride, padding, dilation, groups, relu: true);

    /// <summary>
    /// max(0, y) when <paramref name="relu"/> (else y): recorded by autograd when y has a backward, in place over
    /// the fresh y when not.
    /// </summary>
    private static Tensor ReluAfter(Tensor y, bool relu)
    {
        if (!relu) return y;
        if (y.GradFn is not null) return y.Relu();
        y.Backend.Unary(UnaryOp.Relu, y, y);
        return y;
    }
}
