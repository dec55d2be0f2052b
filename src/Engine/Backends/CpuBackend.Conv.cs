namespace Engine;

// Convolution, pooling and batch norm reference loops: written with the autograd/CNN work (issue 4).
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Im2Col(Tensor x, int kh, int kw, int stride, int pad, Tensor cols) => throw new NotImplementedException("Im2Col: pending (issue 4).");
    /// <inheritdoc/>
    public void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx) => throw new NotImplementedException("Col2Im: pending (issue 4).");
    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax) => throw new NotImplementedException("MaxPool2d: pending (issue 4).");
    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx) => throw new NotImplementedException("MaxPool2dBackward: pending (issue 4).");
    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y) => throw new NotImplementedException("AvgPool2d: pending (issue 4).");
    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx) => throw new NotImplementedException("AvgPool2dBackward: pending (issue 4).");
    /// <inheritdoc/>
    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) => throw new NotImplementedException("BatchNorm: pending (issue 4).");
    /// <inheritdoc/>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dgamma, Tensor dbeta) => throw new NotImplementedException("BatchNormBackward: pending (issue 4).");
}
