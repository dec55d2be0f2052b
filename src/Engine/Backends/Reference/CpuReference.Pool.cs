using System.Numerics;

namespace Engine;

// Max and average pooling over NCHW planes, and their backward passes.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax)
        => Dispatch(x, "MaxPool2d", new MaxPoolCall(x, Window.Of(x.ShapeRef, kh, kw, stride, pad), y, argmax));

    private readonly record struct MaxPoolCall(Tensor X, Window G, Tensor Y, Tensor Argmax) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T> => MaxPoolT(Data<T>(X), G, Data<T>(Y), Data<int>(Argmax));
    }

    /// <summary>
    /// y[n, c, oh, ow] = max of the window's in-image values (padding is skipped, so it acts as −∞);
    /// argmax = h·W + w of the first maximum in row-major window order, or of the first NaN.
    /// </summary>
    private static void MaxPoolT<T>(T[] x, Window g, T[] y, int[] argmax) where T : IFloatingPointIeee754<T>
    {
        for (long plane = 0; plane < (long)g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    int best = -1;
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int h = oh * g.Stride - g.Pad + i, w = ow * g.Stride - g.Pad + j;
                            if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                            int at = h * g.W + w;
                            if (best < 0 || Beats(x[plane * g.H * g.W + at], x[plane * g.H * g.W + best])) best = at;
                        }
                    long o = (plane * g.OH + oh) * g.OW + ow;
                    y[o] = x[plane * g.H * g.W + best];
                    argmax[o] = best;
                }
    }

    /// <inheritdoc/>
    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx) => Dispatch(dy, "MaxPool2dBackward", new MaxPoolBackwardCall(dy, argmax, dx));

    private readonly record struct MaxPoolBackwardCall(Tensor Dy, Tensor Argmax, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T> => MaxPoolBackwardT(Data<T>(Dy), Data<int>(Argmax), Dx.ShapeRef, Data<T>(Dx));
    }

    /// <summary>dx = 0, then dx[n, c, argmax[n, c, oh, ow]] += dy[n, c, oh, ow].</summary>
    private static void MaxPoolBackwardT<T>(T[] dy, int[] argmax, int[] xShape, T[] dx) where T : IFloatingPointIeee754<T>
    {
        long planes = (long)xShape[0] * xShape[1], inPlane = (long)xShape[2] * xShape[3], outPlane = planes == 0 ? 0 : dy.LongLength / planes;
        for (long i = 0; i < dx.LongLength; i++) dx[i] = T.Zero;
        for (long p = 0; p < planes; p++)
            for (long k = 0; k < outPlane; k++) dx[p * inPlane + argmax[p * outPlane + k]] += dy[p * outPlane + k];
    }

    /// <inheritdoc/>
    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y)
        => Dispatch(x, "AvgPool2d", new AvgPoolCall(x, Window.Of(x.ShapeRef, kh, kw, stride, pad), y));

    private readonly record struct AvgPoolCall(Tensor X, Window G, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T> => AvgPoolT(Data<T>(X), G, Data<T>(Y));
    }

    /// <summary>y[n, c, oh, ow] = (Σ of the window's in-image values) / (KH·KW): padding counts as 0.</summary>
    private static void AvgPoolT<T>(T[] x, Window g, T[] y) where T : IFloatingPointIeee754<T>
    {
        T area = T.CreateTruncating(g.KH * g.KW);
        for (long plane = 0; plane < (long)g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    T sum = T.Zero;
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int h = oh * g.Stride - g.Pad + i, w = ow * g.Stride - g.Pad + j;
                            if (h >= 0 && h < g.H && w >= 0 && w < g.W) sum += x[(plane * g.H + h) * g.W + w];
                        }
                    y[(plane * g.OH + oh) * g.OW + ow] = sum / area;
                }
    }

    /// <inheritdoc/>
    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx)
        => Dispatch(dy, "AvgPool2dBackward", new AvgPoolBackwardCall(dy, Window.Of(dx.ShapeRef, kh, kw, stride, pad), dx));

    private readonly record struct AvgPoolBackwardCall(Tensor Dy, Window G, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T> => AvgPoolBackwardT(Data<T>(Dy), G, Data<T>(Dx));
    }

    /// <summary>dx = 0, then dx[n, c, h, w] += dy[n, c, oh, ow] / (KH·KW) for every in-image cell (h, w) of window (oh, ow).</summary>
    private static void AvgPoolBackwardT<T>(T[] dy, Window g, T[] dx) where T : IFloatingPointIeee754<T>
    {
        T area = T.CreateTruncating(g.KH * g.KW);
        for (long i = 0; i < dx.LongLength; i++) dx[i] = T.Zero;
        for (long plane = 0; plane < (long)g.N * g.C; plane++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    T share = dy[(plane * g.OH + oh) * g.OW + ow] / area;
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            int h = oh * g.Stride - g.Pad + i, w = ow * g.Stride - g.Pad + j;
                            if (h >= 0 && h < g.H && w >= 0 && w < g.W) dx[(plane * g.H + h) * g.W + w] += share;
                        }
                }
    }
}
