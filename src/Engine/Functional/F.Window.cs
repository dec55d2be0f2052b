namespace Engine.Functional;

// The window geometries the backend's Im2Col / MaxPool2d / AvgPool2d ops do not take directly —
// (h, w) strides and paddings that differ per axis, dilation, ceil_mode, count_include_pad = false,
// divisor_override, groups — written as exact compositions of autograd ops on any device:
// rows and columns picked with IndexSelect (constant zero or −∞ padding added through masks), one
// term per window tap for pooling, and for convolution the op-table convolution (batched over groups,
// F.ConvGrouped.cs) with a dilated weight.
public static partial class F
{
    /// <summary>x with the entries <paramref name="index"/> picked along <paramref name="axis"/> (a copy, differentiable).</summary>
    internal static Tensor SelectAlong(Tensor x, int axis, int[] index)
    {
        if (axis == 0) return x.IndexSelect(index);
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[0], perm[axis]) = (perm[axis], perm[0]);
        return x.Permute(perm).IndexSelect(index).Permute(perm);
    }

    /// <summary>
    /// x [N, C, H, W] padded with <paramref name="value"/> (0 or −∞): top/bottom rows, left/right columns.
    /// Each axis: pick row clamp(r − top) times a 0/1 mask (zero padding); then + a map that holds the pad
    /// value on every padded cell and 0 elsewhere (x + 0 = x exactly).
    /// </summary>
    internal static Tensor PadConstant(Tensor x, int top, int bottom, int left, int right, double value)
    {
        var y = x;
        foreach (var (axis, before, after) in new[] { (2, top, bottom), (3, left, right) })
        {
            if (before == 0 && after == 0) continue;
            int size = y.Dim(axis), padded = before + size + after;
            var index = new int[padded];
            var mask = new double[padded];
            for (int r = 0; r < padded; r++)
            {
                index[r] = Math.Clamp(r - before, 0, size - 1);
                mask[r] = r >= before && r < before + size ? 1 : 0;
            }
            int[] shape = axis == 2 ? [1, 1, padded, 1] : [1, 1, 1, padded];
            y = SelectAlong(y, axis, index) * Tensor.FromDoubles(mask, shape, x.DType, x.Device);
        }
        if (value == 0 || (top | bottom | left | right) == 0) return y;
        int h = y.Dim(2), w = y.Dim(3);
        var fill = new double[h * w];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                fill[i * w + j] = i < top || i >= h - bottom || j < left || j >= w - right ? value : 0;
        return y + Tensor.FromDoubles(fill, [1, 1, h, w], x.DType, x.Device);
    }

    /// <summary>
    /// PyTorch's pooling output size along each axis: ⌊(in + 2p − d·(k−1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1, one
    /// less when ceil_mode would start the last window past the input and its left padding.
    /// </summary>
    internal static (int OH, int OW) PoolOutputSize(string op, int[] x, (int H, int W) k, (int H, int W) s, (int H, int W) p, (int H, int W) d, bool ceilMode)
    {
        if (k.H <= 0 || k.W <= 0 || s.H <= 0 || s.W <= 0 || d.H <= 0 || d.W <= 0 || p.H < 0 || p.W < 0)
            throw new ArgumentException($"{op}: kernel_size, stride and dilation must be positive and padding ≥ 0, got kernel {k.H}×{k.W}, stride {s}, padding {p}, dilation {d}.");
        long eh = (long)d.H * (k.H - 1) + 1, ew = (long)d.W * (k.W - 1) + 1;
        long h = x[2] + 2L * p.H, w = x[3] + 2L * p.W;
        if (eh > h || ew > w)
            throw new ArgumentException($"{op}: kernel {k.H}×{k.W}{(d == (1, 1) ? "" : $" (dilation {d.H}×{d.W}, spanning {eh}×{ew})")} is larger than the padded input {h}×{w} (input {Tensor.ShapeString(x)}, padding {p}).");
        long Axis(long padded, long span, int st, int size, int pad)
        {
            long o = (padded - span + (ceilMode ? st - 1 : 0)) / st + 1;
            if (ceilMode && (o - 1) * st >= size + pad) o--;
            return o;
        }
        long oh = Axis(h, eh, s.H, x[2], p.H), ow = Axis(w, ew, s.W, x[3], p.W);
        if ((long)x[0] * x[1] * oh * ow > int.MaxValue)
            throw new ArgumentException($"{op}: the output [{x[0]}, {x[1]}, {oh}, {ow}] is too large.");
        return ((int)oh, (int)ow);
    }

    /// <summary>
    /// The window taps of a pooling over xp (already padded: tap (i, j) of output (oh, ow) reads
    /// xp[oh·sh + i·dh, ow·sw + j·dw]): one [N, C, OH, OW] tensor per tap, in row-major window order.
    /// </summary>
    private static IEnumerable<Tensor> Taps(Tensor xp, (int H, int W) k, (int H, int W) s, (int H, int W) d, int oh, int ow)
    {
        for (int i = 0; i < k.H; i++)
        {
            var rows = SelectAlong(xp, 2, Enumerable.Range(0, oh).Select(o => o * s.H + i * d.H).ToArray());
            for (int j = 0; j < k.W; j++)
                yield return SelectAlong(rows, 3, Enumerable.Range(0, ow).Select(o => o * s.W + j * d.W).ToArray());
        }
    }

    /// <summary>
    /// Max pooling of any geometry: the maximum over the taps of x padded with −∞ (computed without grad),
    /// then Σ tap·taken over x padded with 0, taken marking the first tap equal to the maximum (PyTorch's
    /// argmax), so the gradient goes to that one element.
    /// </summary>
    private static Tensor MaxPoolByTaps(Tensor x, (int H, int W) k, (int H, int W) s, (int H, int W) p, (int H, int W) d, int oh, int ow)
    {
        // Bottom/right padding: p, or more where ceil_mode lets the last window hang over the edge.
        static int After(int size, int o, int st, int kk, int dd, int pp) => Math.Max(pp, (o - 1) * st + dd * (kk - 1) + 1 - size - pp);
        int pb = After(x.Dim(2), oh, s.H, k.H, d.H, p.H), pr = After(x.Dim(3), ow, s.W, k.W, d.W, p.W);
        var masks = new List<Tensor>();
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
        {
            var taps = Taps(PadConstant(x, p.H, pb, p.W, pr, double.NegativeInfinity), k, s, d, oh, ow).ToList();
            var max = taps[0];
            foreach (var t in taps.Skip(1)) max = max.Maximum(t);
            var taken = Tensor.ZerosLike(max);
            foreach (var t in taps)
            {
                var first = t.Equal(max) * taken.RSub(1);
                taken = taken + first;
                masks.Add(scope.Keep(first));
            }
        }
        Tensor? y = null;
        int n = 0;
        foreach (var t in Taps(PadConstant(x, p.H, pb, p.W, pr, 0), k, s, d, oh, ow))
        {
            var term = t * masks[n++];
            y = y is null ? term : y + term;
        }
        return y!;
    }

    /// <summary>
    /// Average pooling of any geometry as PyTorch's avg_pool2d: the window sum (taps added in row-major
    /// order over x padded with 0) divided per output by divisor_override, or by the window clipped to
    /// the padded input (count_include_pad) or to the input itself.
    /// </summary>
    private static Tensor AvgPoolByTaps(Tensor x, (int H, int W) k, (int H, int W) s, (int H, int W) p, int oh, int ow, bool countIncludePad, int? divisorOverride)
    {
        int h = x.Dim(2), w = x.Dim(3);
        int pb = Math.Max(p.H, (oh - 1) * s.H + k.H - h - p.H), pr = Math.Max(p.W, (ow - 1) * s.W + k.W - w - p.W);
        Tensor? sum = null;
        foreach (var t in Taps(PadConstant(x, p.H, pb, p.W, pr, 0), k, s, (1, 1), oh, ow)) sum = sum is null ? t : sum + t;
        var divisor = new double[oh * ow];
        for (int a = 0; a < oh; a++)
            for (int b = 0; b < ow; b++)
            {
                int h0 = a * s.H - p.H, w0 = b * s.W - p.W;
                int h1 = Math.Min(h0 + k.H, h + p.H), w1 = Math.Min(w0 + k.W, w + p.W);
                int poolSize = (h1 - h0) * (w1 - w0);
                int inside = (Math.Min(h1, h) - Math.Max(h0, 0)) * (Math.Min(w1, w) - Math.Max(w0, 0));
                divisor[a * ow + b] = divisorOverride ?? (countIncludePad ? poolSize : inside);
            }
        return sum! / Tensor.FromDoubles(divisor, [1, 1, oh, ow], x.DType, x.Device);
    }

    /// <summary>
    /// Convolution of any geometry: the op-table convolution (<see cref="ConvGrouped"/> for groups) with the
    /// weight dilated (zeros between its taps, a masked gather), the input padded explicitly when the
    /// paddings differ per axis, and stride 1 then every sh-th row and sw-th column when the strides
    /// differ. The added terms are exact zeros.
    /// </summary>
    private static Tensor ConvGeneral(Tensor x, Tensor weight, Tensor? bias, (int H, int W) s, (int H, int W) p, (int H, int W) d, int groups)
    {
        var wx = d == (1, 1) ? weight : DilateWeight(weight, d);
        bool samePad = p.H == p.W, sameStride = s.H == s.W;
        var xp = samePad ? x : PadConstant(x, p.H, p.H, p.W, p.W, 0);
        int st = sameStride ? s.H : 1, pad = samePad ? p.H : 0;
        var y1 = groups == 1 ? ConvSimple(xp, wx, bias, st, pad) : ConvGrouped(xp, wx, bias, st, pad, groups);
        if (sameStride) return y1;
        int oh = (y1.Dim(2) - 1) / s.H + 1, ow = (y1.Dim(3) - 1) / s.W + 1;
        var rows = SelectAlong(y1, 2, Enumerable.Range(0, oh).Select(o => o * s.H).ToArray());
        return SelectAlong(rows, 3, Enumerable.Range(0, ow).Select(o => o * s.W).ToArray());
    }

    /// <summary>weight [F, C, KH, KW] → [F, C, (KH−1)·dh + 1, (KW−1)·dw + 1] with zeros between the taps (a masked gather).</summary>
    private static Tensor DilateWeight(Tensor weight, (int H, int W) d)
    {
        int f = weight.Dim(0), c = weight.Dim(1), kh = weight.Dim(2), kw = weight.Dim(3);
        int eh = (kh - 1) * d.H + 1, ew = (kw - 1) * d.W + 1;
        var index = new int[checked(f * c * eh * ew)];
        var mask = new double[index.Length];
        for (int fc = 0; fc < f * c; fc++)
            for (int i = 0; i < eh; i += d.H)
                for (int j = 0; j < ew; j += d.W)
                {
                    int t = (fc * eh + i) * ew + j;
                    index[t] = (fc * kh + i / d.H) * kw + j / d.W;
                    mask[t] = 1;
                }
        var picked = weight.Reshape(f * c * kh * kw, 1).IndexSelect(index) * Tensor.FromDoubles(mask, [index.Length, 1], weight.DType, weight.Device);
        return picked.Reshape(f, c, eh, ew);
    }
}
