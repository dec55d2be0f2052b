namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax) => Run($"MaxPool2d({kh}×{kw}, stride {stride}, pad {pad})", [x, y, argmax], () =>
        Elementwise("max_pool2d_" + F(x, "MaxPool2d"), y.Size, P(x), P(y), P(argmax), Geometry(x.ShapeRef, kh, kw, stride, pad)));

    /// <inheritdoc/>
    /// <remarks>dx is cleared, then max_pool2d_backward adds each dy at its argmax with float atomics (the order of
    /// additions where windows overlap varies run to run); with <see cref="Tensor.AreDeterministicAlgorithmsEnabled"/>
    /// max_pool2d_backward_deterministic adds each plane's dy in order instead (the CPU twin's bits, every run).</remarks>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx) => Run("MaxPool2dBackward", [dy, argmax, dx], () =>
    {
        Fill(dx, 0);
        long plane = (long)dy.ShapeRef[2] * dy.ShapeRef[3], inPlane = (long)dx.ShapeRef[2] * dx.ShapeRef[3];
        string sfx = F(dy, "MaxPool2dBackward");
        if (Tensor.AreDeterministicAlgorithmsEnabled)
        {
            long planes = (long)dx.ShapeRef[0] * dx.ShapeRef[1];
            Elementwise("max_pool2d_backward_deterministic_" + sfx, planes, P(dy), P(argmax), P(dx), planes, plane, inPlane);
        }
        else Elementwise("max_pool2d_backward_" + sfx, dy.Size, P(dy), P(argmax), P(dx), dy.Size, plane, inPlane);
    });

    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y) => Run($"AvgPool2d({kh}×{kw}, stride {stride}, pad {pad})", [x, y], () =>
        Elementwise("avg_pool2d_" + F(x, "AvgPool2d"), y.Size, P(x), P(y), Geometry(x.ShapeRef, kh, kw, stride, pad)));

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx) => Run($"AvgPool2dBackward({kh}×{kw}, stride {stride}, pad {pad})", [dy, dx], () =>
        Elementwise("avg_pool2d_backward_" + F(dy, "AvgPool2dBackward"), dx.Size, P(dy), P(dx), Geometry(dx.ShapeRef, kh, kw, stride, pad)));
}
