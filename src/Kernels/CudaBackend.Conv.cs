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
}
