using System.Numerics;

namespace Engine;

// im2col and col2im of DLfS (chapter 24), NCHW, with OH = (H + 2·pad − KH)/stride + 1 and OW likewise.
public sealed partial class CpuReference
{
    /// <summary>N, C, H, W of an NCHW shape and the output size OH, OW of a KH×KW window at stride and pad.</summary>
    private readonly record struct Window(int N, int C, int H, int W, int KH, int KW, int Stride, int Pad)
    {
        public int OH => (H + 2 * Pad - KH) / Stride + 1;
        public int OW => (W + 2 * Pad - KW) / Stride + 1;

        public static Window Of(int[] x, int kh, int kw, int stride, int pad) => new(x[0], x[1], x[2], x[3], kh, kw, stride, pad);
    }

    /// <inheritdoc/>
    public void Im2Col(Tensor x, int kh, int kw, int stride, int pad, Tensor cols)
        => Dispatch(x, "Im2Col", new Im2ColCall(x, Window.Of(x.ShapeRef, kh, kw, stride, pad), cols));

    /// <summary>cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] = x[n, c, oh·stride − pad + i, ow·stride − pad + j], 0 outside the image.</summary>
    private readonly record struct Im2ColCall(Tensor X, Window G, Tensor Cols) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), cols = Data<T>(Cols);
            foreach (var (col, xi) in PatchEntries(G))
                cols[col] = xi >= 0 ? x[xi] : T.Zero;
        }
    }

    /// <summary>
    /// Every entry of the cols matrix of <see cref="Im2ColCall"/>: its index in cols and the index in x it copies
    /// (−1 where the window lies in the padding), row by row.
    /// </summary>
    private static IEnumerable<(long Col, long X)> PatchEntries(Window g)
    {
        long width = (long)g.C * g.KH * g.KW;
        for (int n = 0; n < g.N; n++)
            for (int oh = 0; oh < g.OH; oh++)
                for (int ow = 0; ow < g.OW; ow++)
                {
                    long row = ((long)n * g.OH + oh) * g.OW + ow;
                    for (int c = 0; c < g.C; c++)
                        for (int i = 0; i < g.KH; i++)
                            for (int j = 0; j < g.KW; j++)
                            {
                                int h = oh * g.Stride - g.Pad + i, w = ow * g.Stride - g.Pad + j;
                                bool inside = h >= 0 && h < g.H && w >= 0 && w < g.W;
                                yield return (row * width + ((long)c * g.KH + i) * g.KW + j, inside ? (((long)n * g.C + c) * g.H + h) * g.W + w : -1);
                            }
                }
    }

    /// <inheritdoc/>
    public void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx)
        => Dispatch(dx, "Col2Im", new Col2ImCall(cols, Window.Of(dx.ShapeRef, kh, kw, stride, pad), dx));

    /// <summary>dx = 0, then dx[n, c, h, w] += cols[…] for every patch entry of <see cref="Im2ColCall"/> that lies inside the image.</summary>
    private readonly record struct Col2ImCall(Tensor Cols, Window G, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] cols = Data<T>(Cols), dx = Data<T>(Dx);
            for (long i = 0; i < dx.LongLength; i++) dx[i] = T.Zero;
            foreach (var (col, xi) in PatchEntries(G))
                if (xi >= 0) dx[xi] += cols[col];
        }
    }
}
