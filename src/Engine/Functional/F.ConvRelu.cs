namespace Engine.Functional;

// Conv2d followed by ReLU for inference (what ONNX Runtime's Conv+Relu fusion does): on the CPU's implicit-GEMM
// conv the max(0, ·) is applied in the pass that adds the bias to each output tile, so no second pass reads and
// writes the activations. The result equals Relu(Conv2d(...)) bit for bit: the same sums, the same comparison.
public static partial class F
{
    /// <summary>
    /// relu(conv2d(x, weight, bias, stride, padding, dilation, groups)) (arguments as
    /// F.Conv2d with (h, w) pairs).
    /// Fused into the conv's output pass when nothing needs a gradient and the CPU's implicit conv runs it (one
    /// stride and padding for both axes, no dilation, one group, at least <see cref="CpuBackend.ImplicitMinFilters"/>
    /// filters); otherwise Conv2d then ReLU — recorded by autograd when a gradient is needed, in place over the
    /// conv's fresh output when not.
    /// </summary>
    internal static Tensor Conv2dRelu(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W)? dilation = null, int groups = 1)
    {
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        bool fused = input.Backend is CpuBackend && !NeedsGrad(inputs) && weight.Rank == 4 && weight.Dim(0) >= CpuBackend.ImplicitMinFilters
            && stride.H == stride.W && padding.H == padding.W && (dilation ?? (1, 1)) == (1, 1) && groups == 1
            && stride.H > 0 && padding.H >= 0;
        if (fused) return ConvSimple(input, weight, bias, stride.H, padding.H, relu: true);
        var y = Conv2d(input, weight, bias, stride, padding, dilation, groups);
        if (NeedsGrad(inputs)) return y.Relu();
        y.Backend.Unary(UnaryOp.Relu, y, y);
        return y;
    }
}
