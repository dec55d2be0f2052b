namespace Engine.Functional;

// Joining, slicing and padding along one axis (torch.cat, torch.narrow, torch.nn.functional.pad),
// built from ops every backend has: the axis is moved to the front (Permute), the tensor seen as
// rows [dim, rest], rows picked with IndexSelect or placed with IndexAdd, and the axis moved back.
public static partial class F
{
    /// <summary>
    /// torch.cat: tensors of equal rank, dtype and device, equal in every dimension except
    /// <paramref name="axis"/>, joined along it. Backward: each input gets its slice of the gradient.
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        const string op = "Concat";
        if (tensors.Count == 0) throw new ArgumentException($"{op}: expected at least one tensor.");
        var first = tensors[0];
        first.CheckFloat(op);
        int rank = first.Rank;
        if (rank == 0) throw new ArgumentException($"{op}: cannot join scalars; give tensors of rank ≥ 1.");
        int ax = Tensor.NormalizeAxis(axis, rank, op);
        int total = 0;
        foreach (var t in tensors)
        {
            Tensor.CheckSameKind(op, first, t);
            bool fits = t.Rank == rank;
            for (int d = 0; fits && d < rank; d++) fits = d == ax || t.Dim(d) == first.Dim(d);
            if (!fits)
                throw new ArgumentException($"{op}: shapes {Tensor.ShapeString(first.Shape)} and {Tensor.ShapeString(t.Shape)} differ outside axis {ax}.");
            total += t.Dim(ax);
        }
        if (tensors.Count == 1) return first;
        return first.Device == Device.Cpu ? ConcatCpu(tensors, ax, total) : ConcatByRows(tensors, ax, total);
    }

    /// <summary>Concat on any device: the axis moved to the front, rows placed with IndexAdd, moved back.</summary>
    internal static Tensor ConcatByRows(IReadOnlyList<Tensor> tensors, int ax, int total)
    {
        const string op = "Concat";
        var first = tensors[0];
        int rank = first.Rank;
        var perm = FrontPerm(rank, ax);
        var moved = tensors.Select(t => ax == 0 ? t : t.Permute(perm)).ToArray();
        int rest = (int)(first.Size / Math.Max(1, first.Dim(ax)));
        var rows = moved.Select(t => t.Reshape(t.Dim(0), rest)).ToArray();
        var indices = new Tensor[rows.Length];
        var y2 = Tensor.Zeros([total, rest], first.DType, first.Device);
        int start = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            int len = rows[i].Dim(0);
            indices[i] = Tensor.FromArray(Enumerable.Range(start, len).ToArray(), null, first.Device);
            y2.Backend.IndexAdd(rows[i], indices[i], y2);
            start += len;
        }
        var joined = Autograd.Record(y2, op, rows, g => indices.Select(idx => (Tensor?)g.IndexSelect(idx)).ToArray());
        var shape = moved[0].Shape;
        shape[0] = total;
        var y = joined.Reshape(shape);
        return ax == 0 ? y : y.Permute(InversePerm(perm));
    }

    /// <summary>
    /// torch.narrow: elements <paramref name="start"/> … start+length−1 along <paramref name="axis"/> (a copy).
    /// Backward: the gradient is placed back into those positions, zeros elsewhere.
    /// </summary>
    public static Tensor Narrow(Tensor x, int axis, int start, int length)
    {
        const string op = "Narrow";
        if (x.Rank == 0) throw new ArgumentException($"{op}: cannot slice a scalar.");
        int ax = Tensor.NormalizeAxis(axis, x.Rank, op);
        int dim = x.Dim(ax);
        if (start < 0 || length < 0 || start + length > dim)
            throw new ArgumentOutOfRangeException(nameof(start), $"{op}: [{start}, {start + length}) is outside axis {ax} of size {dim} (shape {Tensor.ShapeString(x.Shape)}).");
        if (start == 0 && length == dim) return x;
        return x.Device == Device.Cpu ? NarrowCpu(x, ax, start, length) : NarrowByRows(x, ax, start, length);
    }

    /// <summary>Narrow on any device: the axis moved to the front, rows picked with IndexSelect, moved back.</summary>
    internal static Tensor NarrowByRows(Tensor x, int ax, int start, int length)
    {
        int dim = x.Dim(ax);
        var perm = FrontPerm(x.Rank, ax);
        var moved = ax == 0 ? x : x.Permute(perm);
        int rest = (int)(x.Size / Math.Max(1, dim));
        var picked = moved.Reshape(dim, rest).IndexSelect(Enumerable.Range(start, length).ToArray());
        var shape = moved.Shape;
        shape[0] = length;
        var y = picked.Reshape(shape);
        return ax == 0 ? y : y.Permute(InversePerm(perm));
    }

    /// <summary>
    /// Pads the last two axes of x [N, C, H, W] with <paramref name="value"/>: <paramref name="top"/>
    /// rows above, <paramref name="bottom"/> below, <paramref name="left"/>/<paramref name="right"/>
    /// columns beside (torch.nn.functional.pad(x, (left, right, top, bottom), value=value)).
    /// </summary>
    public static Tensor Pad2d(Tensor x, int top, int bottom, int left, int right, double value = 0)
    {
        const string op = "Pad2d";
        CheckImage(op, x);
        if (top < 0 || bottom < 0 || left < 0 || right < 0)
            throw new ArgumentOutOfRangeException(nameof(top), $"{op}: pads must be ≥ 0, got top {top}, bottom {bottom}, left {left}, right {right}.");
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        if (top + bottom > 0)
        {
            var parts = new List<Tensor>();
            if (top > 0) parts.Add(Tensor.Full([n, c, top, w], value, x.DType, x.Device));
            parts.Add(x);
            if (bottom > 0) parts.Add(Tensor.Full([n, c, bottom, w], value, x.DType, x.Device));
            x = Concat(parts, 2);
            h += top + bottom;
        }
        if (left + right > 0)
        {
            var parts = new List<Tensor>();
            if (left > 0) parts.Add(Tensor.Full([n, c, h, left], value, x.DType, x.Device));
            parts.Add(x);
            if (right > 0) parts.Add(Tensor.Full([n, c, h, right], value, x.DType, x.Device));
            x = Concat(parts, 3);
        }
        return x;
    }

    /// <summary>
    /// Concat on the CPU by block copies: seen as [outer, dim_i·inner], each input's row o lands at
    /// columns offset_i·inner … of the output's row o. Backward: each input gets its Narrow of the gradient.
    /// </summary>
    private static Tensor ConcatCpu(IReadOnlyList<Tensor> tensors, int ax, int total)
    {
        var shape = tensors[0].Shape;
        shape[ax] = total;
        int outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) outer *= shape[d];
        for (int d = ax + 1; d < shape.Length; d++) inner *= shape[d];
        var y = Tensor.Empty(shape, tensors[0].DType, Device.Cpu);
        int offset = 0;
        foreach (var t in tensors)
        {
            int chunk = t.Dim(ax) * inner;
            if (t.DType == DType.Float64) CopyBlocks(t.Span<double>(), y.Span<double>(), outer, chunk, total * inner, offset * inner, toWide: true);
            else CopyBlocks(t.Span<float>(), y.Span<float>(), outer, chunk, total * inner, offset * inner, toWide: true);
            offset += t.Dim(ax);
        }
        var starts = new int[tensors.Count];
        for (int i = 1; i < starts.Length; i++) starts[i] = starts[i - 1] + tensors[i - 1].Dim(ax);
        return Autograd.Record(y, "Concat", [.. tensors], g => tensors.Select((t, i) => (Tensor?)Narrow(g, ax, starts[i], t.Dim(ax))).ToArray());
    }

    /// <summary>Narrow on the CPU by block copies; backward: the gradient with zeros concatenated before and after.</summary>
    private static Tensor NarrowCpu(Tensor x, int ax, int start, int length)
    {
        var shape = x.Shape;
        int dim = shape[ax];
        shape[ax] = length;
        int outer = 1, inner = 1;
        for (int d = 0; d < ax; d++) outer *= shape[d];
        for (int d = ax + 1; d < shape.Length; d++) inner *= shape[d];
        var y = Tensor.Empty(shape, x.DType, Device.Cpu);
        if (x.DType == DType.Float64) CopyBlocks(y.Span<double>(), x.Span<double>(), outer, length * inner, dim * inner, start * inner, toWide: false);
        else CopyBlocks(y.Span<float>(), x.Span<float>(), outer, length * inner, dim * inner, start * inner, toWide: false);
        var xShape = x.Shape;
        return Autograd.Record(y, "Narrow", [x], g =>
        {
            var parts = new List<Tensor>();
            var before = (int[])xShape.Clone(); before[ax] = start;
            var after = (int[])xShape.Clone(); after[ax] = dim - start - length;
            if (start > 0) parts.Add(Tensor.Zeros(before, g.DType, g.Device));
            parts.Add(g);
            if (after[ax] > 0) parts.Add(Tensor.Zeros(after, g.DType, g.Device));
            return [Concat(parts, ax)];
        });
    }

    /// <summary>
    /// For each of <paramref name="outer"/> rows: a block of <paramref name="chunk"/> values between a narrow
    /// array (rows of length chunk) and a wide one (rows of length <paramref name="wideRow"/>, block at <paramref name="offset"/>);
    /// narrow → wide when <paramref name="toWide"/>, else wide → narrow.
    /// </summary>
    private static void CopyBlocks<T>(Span<T> narrow, Span<T> wide, int outer, int chunk, int wideRow, int offset, bool toWide)
    {
        for (int o = 0; o < outer; o++)
        {
            var n = narrow.Slice(o * chunk, chunk);
            var w = wide.Slice(o * wideRow + offset, chunk);
            if (toWide) n.CopyTo(w); else w.CopyTo(n);
        }
    }

    /// <summary>The permutation that moves axis <paramref name="ax"/> to the front, keeping the others in order.</summary>
    private static int[] FrontPerm(int rank, int ax) =>
        [ax, .. Enumerable.Range(0, rank).Where(d => d != ax)];

    private static int[] InversePerm(int[] perm)
    {
        var inv = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
        return inv;
    }
}
