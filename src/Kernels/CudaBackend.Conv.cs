namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <summary>Geometry of a window op over x [N, C, H, W]: OH = (H + 2·pad − KH)/stride + 1, likewise OW.</summary>
    private static ConvArgs Geometry(int[] x, int kh, int kw, int stride, int pad) => new()
    {
        N = x[0], C = x[1], H = x[2], W = x[3], KH = kh, KW = kw, Stride = stride, Pad = pad,
        OH = (x[2] + 2 * pad - kh) / stride + 1,
        OW = (x[3] + 2 * pad - kw) / stride + 1,
    };

    /// <inheritdoc/>
    public void Im2Col(Tensor x, int kh, int kw, int stride, int pad, Tensor cols) => Run($"Im2Col({kh}×{kw}, stride {stride}, pad {pad})", [x, cols], () =>
        Elementwise("im2col_" + F(x, "Im2Col"), cols.Size, P(x), P(cols), Geometry(x.ShapeRef, kh, kw, stride, pad)));

    /// <inheritdoc/>
    public void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx) => Run($"Col2Im({kh}×{kw}, stride {stride}, pad {pad})", [cols, dx], () =>
        Elementwise("col2im_" + F(dx, "Col2Im"), dx.Size, P(cols), P(dx), Geometry(dx.ShapeRef, kh, kw, stride, pad)));

    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax) => Run($"MaxPool2d({kh}×{kw}, stride {stride}, pad {pad})", [x, y, argmax], () =>
        Elementwise("max_pool2d_" + F(x, "MaxPool2d"), y.Size, P(x), P(y), P(argmax), Geometry(x.ShapeRef, kh, kw, stride, pad)));

    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx) => Run("MaxPool2dBackward", [dy, argmax, dx], () =>
    {
        Fill(dx, 0);
        long plane = (long)dy.ShapeRef[2] * dy.ShapeRef[3], inPlane = (long)dx.ShapeRef[2] * dx.ShapeRef[3];
        Elementwise("max_pool2d_backward_" + F(dy, "MaxPool2dBackward"), dy.Size, P(dy), P(argmax), P(dx), dy.Size, plane, inPlane);
    });

    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y) => Run($"AvgPool2d({kh}×{kw}, stride {stride}, pad {pad})", [x, y], () =>
        Elementwise("avg_pool2d_" + F(x, "AvgPool2d"), y.Size, P(x), P(y), Geometry(x.ShapeRef, kh, kw, stride, pad)));

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx) => Run($"AvgPool2dBackward({kh}×{kw}, stride {stride}, pad {pad})", [dy, dx], () =>
        Elementwise("avg_pool2d_backward_" + F(dy, "AvgPool2dBackward"), dx.Size, P(dy), P(dx), Geometry(dx.ShapeRef, kh, kw, stride, pad)));

    /// <summary>x [N, C, …] as (N, C, S).</summary>
    private static (long N, long C, long S) Channels(Tensor x)
    {
        long n = x.ShapeRef[0], c = x.Rank > 1 ? x.ShapeRef[1] : 1;
        return (n, c, n * c == 0 ? 0 : x.Size / (n * c));
    }

    /// <inheritdoc/>
    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) =>
        Run($"BatchNorm(training={training})", [x, gamma, y], () =>
        {
            var (n, c, s) = Channels(x);
            string sfx = F(x, "BatchNorm");
            if (training)
                PerRow("batch_norm_stats_" + sfx, c, n * s, sizeof(double), P(x), P(runningMean), P(runningVar), P(saveMean), P(saveInvStd), n, c, s, momentum, eps);
            else
                Elementwise("batch_norm_running_" + sfx, c, P(runningMean), P(runningVar), P(saveMean), P(saveInvStd), c, eps);
            Elementwise("batch_norm_forward_" + sfx, x.Size, P(x), P(gamma), P(beta), P(saveMean), P(saveInvStd), P(y), x.Size, c, s);
        });

    /// <inheritdoc/>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta) =>
        Run("BatchNormBackward", [x, dy, gamma, dx], () =>
        {
            var (n, c, s) = Channels(x);
            string sfx = F(x, "BatchNormBackward");
            PerRow("batch_norm_backward_reduce_" + sfx, c, n * s, sizeof(double), P(x), P(dy), P(saveMean), P(saveInvStd), P(dgamma), P(dbeta), n, c, s);
            Elementwise("batch_norm_backward_dx_" + sfx, x.Size, P(x), P(dy), P(gamma), P(saveMean), P(saveInvStd), P(dgamma), P(dbeta), P(dx), x.Size, c, s, n * s);
        });
}
