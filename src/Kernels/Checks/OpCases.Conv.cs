namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    /// <summary>Window geometry: x [N, C, H, W] → OH × OW.</summary>
    internal readonly record struct Window(int N, int C, int H, int W, int KH, int KW, int Stride, int Pad)
    {
        public int OH => (H + 2 * Pad - KH) / Stride + 1;
        public int OW => (W + 2 * Pad - KW) / Stride + 1;
        public int[] X => [N, C, H, W];
        public int[] Y => [N, C, OH, OW];
        public int[] Cols => [N * OH * OW, C * KH * KW];
        public override string ToString() => $"{Tensor.ShapeString(X)} {KH}×{KW}/{Stride} pad {Pad}";
    }

    /// <summary>The windows of the conv and pool cases: 3×3/1 pad 1 (overlapping), 3×2/2, 2×2/2.</summary>
    private static Window[] Windows(Sizes s)
    {
        int[] im = s.Image;
        return [new(im[0], im[1], im[2], im[3], 3, 3, 1, 1), new(im[0], im[1], im[2], im[3], 3, 2, 2, 0), new(im[0], im[1], im[2], im[3], 2, 2, 2, 0)];
    }

    private static IEnumerable<OpCase> Conv(Sizes s)
    {
        foreach (var d in Floats)
            foreach (var w in Windows(s))
            {
                yield return new OpCase
                {
                    Name = $"Im2Col {d.Name()} {w}", Kernel = "im2col_" + Sfx(d), Kind = OpKind.Exact, DType = d,
                    Inputs = g => [NonZero(g, w.X, d)],
                    Outputs = i => [Unwritten(i[0], w.Cols)],
                    Execute = (b, i, o) => b.Im2Col(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0]),
                    Reference = x => [Im2ColRef(x[0], w)],
                };
                yield return new OpCase
                {
                    Name = $"Col2Im {d.Name()} {w}", Kernel = "col2im_" + Sfx(d), Kind = OpKind.Reduction, DType = d,
                    Inputs = g => [NonZero(g, w.Cols, d)],
                    Outputs = i => [Unwritten(i[0], w.X)],
                    Execute = (b, i, o) => b.Col2Im(i[0], w.KH, w.KW, w.Stride, w.Pad, o[0]),
                    Reference = x => [Col2ImRef(x[0], w)],
                };
            }
    }

    /// <summary>Calls f(plane n·C + c, oh, ow, h, w) for every in-bounds input position of every window.</summary>
    private static void ForEachWindow(Window w, Action<int, int, int, int, int> f)
    {
        for (int nc = 0; nc < w.N * w.C; nc++)
            for (int oh = 0; oh < w.OH; oh++)
                for (int ow = 0; ow < w.OW; ow++)
                    for (int i = 0; i < w.KH; i++)
                        for (int j = 0; j < w.KW; j++)
                        {
                            int hh = oh * w.Stride - w.Pad + i, ww = ow * w.Stride - w.Pad + j;
                            if (hh >= 0 && hh < w.H && ww >= 0 && ww < w.W) f(nc, oh, ow, hh, ww);
                        }
    }

    internal static double[] Im2ColRef(double[] x, Window w)
    {
        var cols = new double[(long)w.N * w.OH * w.OW * w.C * w.KH * w.KW];
        ForEachWindow(w, (nc, oh, ow, h, ww) => cols[ColsIndex(w, nc, oh, ow, h, ww)] = x[((long)nc * w.H + h) * w.W + ww]);
        return cols;
    }

    internal static double[] Col2ImRef(double[] cols, Window w)
    {
        var dx = new double[w.N * w.C * w.H * w.W];
        ForEachWindow(w, (nc, oh, ow, h, ww) => dx[((long)nc * w.H + h) * w.W + ww] += cols[ColsIndex(w, nc, oh, ow, h, ww)]);
        return dx;
    }

    /// <summary>Where input pixel (h, w) of plane n·C + c, seen by window (oh, ow), sits in the DLfS cols matrix
    /// [N·OH·OW, C·KH·KW]: row (n·OH + oh)·OW + ow, column (c·KH + i)·KW + j for the tap (i, j).</summary>
    private static long ColsIndex(Window w, int nc, int oh, int ow, int h, int ww)
    {
        int n = nc / w.C, c = nc % w.C, i = h - (oh * w.Stride - w.Pad), j = ww - (ow * w.Stride - w.Pad);
        long row = ((long)n * w.OH + oh) * w.OW + ow;
        return row * (w.C * w.KH * w.KW) + (c * w.KH + i) * w.KW + j;
    }
}
