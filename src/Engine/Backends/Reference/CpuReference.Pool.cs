using System.Numerics;

namespace Engine;

// Max and average pooling over NCHW planes, and their backward passes. Each op is its arithmetic on
// one window; PoolWindows walks the windows.
public sealed partial class CpuReference
{
    /// <summary>
    /// Every pooling window of x (shape N, C, H, W), plane by plane in output order: the offset of its plane in x
    /// (plane·H·W), its index in y ((plane·OH + oh)·OW + ow), and the cells h·W + w of the plane it covers, in
    /// row-major window order, with h = oh·stride − pad + i and w = ow·stride − pad + j; cells in the padding are left out.
    /// </summary>
    private static IEnumerable<(long Plane, long Out, List<int> Cells)> PoolWindows(Window g)
    {
        for (long plane = 0; plane < (long)g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    var cells = new List<int>(g.KH * g.KW);
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int h = oh * g.Stride - g.Pad + i, w = ow * g.Stride - g.Pad + j;
                            if (h >= 0 && h < g.H && w >= 0 && w < g.W) cells.Add(h * g.W + w);
                        }
                    yield return (plane * g.H * g.W, (plane * g.OH + oh) * g.OW + ow, cells);
                }
    }

    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax)
        => Dispatch(x, "MaxPool2d", new MaxPoolCall(x, Window.Of(x.ShapeRef, kh, kw, stride, pad), y, argmax));

    /// <summary>
    /// y[n, c, oh, ow] = max of the window's in-image values (padding is skipped, so it acts as −∞);
    /// argmax = h·W + w of the first maximum in row-major window order, or of the first NaN.
    /// </summary>
    private readonly record struct MaxPoolCall(Tensor X, Window G, Tensor Y, Tensor Argmax) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), y = Data<T>(Y);
            int[] argmax = Data<int>(Argmax);
            foreach (var (plane, o, cells) in PoolWindows(G))
            {
                int best = -1;
                foreach (int at in cells)
                    if (best < 0 || Beats(x[plane + at], x[plane + best])) best = at;
                y[o] = x[plane + best];
                argmax[o] = best;
            }
        }
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx) => Dispatch(dy, "MaxPool2dBackward", new MaxPoolBackwardCall(dy, argmax, dx));

    /// <summary>dx = 0, then dx[n, c, argmax[n, c, oh, ow]] += dy[n, c, oh, ow].</summary>
    private readonly record struct MaxPoolBackwardCall(Tensor Dy, Tensor Argmax, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] dy = Data<T>(Dy), dx = Data<T>(Dx);
            int[] argmax = Data<int>(Argmax), xShape = Dx.ShapeRef;
            long planes = (long)xShape[0] * xShape[1], inPlane = (long)xShape[2] * xShape[3], outPlane = planes == 0 ? 0 : dy.LongLength / planes;
            for (long i = 0; i < dx.LongLength; i++) dx[i] = T.Zero;
            for (long p = 0; p < planes; p++)
                for (long k = 0; k < outPlane; k++) dx[p * inPlane + argmax[p * outPlane + k]] += dy[p * outPlane + k];
        }
    }

    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y)
        => Dispatch(x, "AvgPool2d", new AvgPoolCall(x, Window.Of(x.ShapeRef, kh, kw, stride, pad), y));

    /// <summary>y[n, c, oh, ow] = (Σ of the window's in-image values) / (KH·KW): padding counts as 0.</summary>
    private readonly record struct AvgPoolCall(Tensor X, Window G, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), y = Data<T>(Y);
            T area = T.CreateTruncating(G.KH * G.KW);
            foreach (var (plane, o, cells) in PoolWindows(G))
            {
                T sum = T.Zero;
                foreach (int at in cells) sum += x[plane + at];
                y[o] = sum / area;
            }
        }
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx)
        => Dispatch(dy, "AvgPool2dBackward", new AvgPoolBackwardCall(dy, Window.Of(dx.ShapeRef, kh, kw, stride, pad), dx));

    /// <summary>dx = 0, then dx[n, c, h, w] += dy[n, c, oh, ow] / (KH·KW) for every in-image cell (h, w) of window (oh, ow).</summary>
    private readonly record struct AvgPoolBackwardCall(Tensor Dy, Window G, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] dy = Data<T>(Dy), dx = Data<T>(Dx);
            T area = T.CreateTruncating(G.KH * G.KW);
            for (long i = 0; i < dx.LongLength; i++) dx[i] = T.Zero;
            foreach (var (plane, o, cells) in PoolWindows(G))
            {
                T share = dy[o] / area;
                foreach (int at in cells) dx[plane + at] += share;
            }
        }
    }
}
