namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <summary>The most blocks a reduction or argmax launch uses: its kernel strides over the outer·inner output rows.</summary>
    internal const long MaxRowBlocks = 65535L * 8;

    /// <summary>The grid of a reduction over <paramref name="rows"/> outputs: one block per row up to <see cref="MaxRowBlocks"/>.</summary>
    internal static long RowBlocks(long rows) => Math.Min(rows, MaxRowBlocks);

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y) => Run($"Reduce.{op}(axis {axis})", [x, y], () =>
    {
        var v = AxisView.Of(x.ShapeRef, axis);
        string sfx = F(x, "Reduce");
        PerRow($"reduce_{op.ToString().ToLowerInvariant()}_{sfx}", RowBlocks(v.Rows), v.N, x.DType.SizeOf(), P(x), P(y), v.N, v.Inner, v.Rows);
    });

    /// <inheritdoc/>
    public void ArgMax(Tensor x, int axis, Tensor y) => Run($"ArgMax(axis {axis})", [x, y], () =>
    {
        var v = AxisView.Of(x.ShapeRef, axis);
        PerRow("argmax_" + F(x, "ArgMax"), RowBlocks(v.Rows), v.N, x.DType.SizeOf() + 4, P(x), P(y), v.N, v.Inner, v.Rows);
    });

    /// <inheritdoc/>
    public void IndexSelect(Tensor x, Tensor index, Tensor y)
    {
        Run("IndexSelect", [x, index, y], () =>
        {
            long rows = Math.Max(x.ShapeRef[0], 1), row = x.Size / rows;
            Elementwise("index_select_" + Sfx(x.DType), y.Size, P(x), P(index), P(y), index.Size, row, (long)x.ShapeRef[0], _errors);
        });
        CheckIndexErrors("IndexSelect", x.ShapeRef[0]);
    }

    /// <inheritdoc/>
    /// <remarks>index_add adds with float atomics (where indices repeat, the order of the additions varies run to run).
    /// With <see cref="Tensor.AreDeterministicAlgorithmsEnabled"/> the indices come to the host, are grouped by
    /// destination row (<see cref="IndexSegments"/>), and index_add_deterministic adds each group in index order:
    /// the CPU twin's bits, every run.</remarks>
    public void IndexAdd(Tensor x, Tensor index, Tensor y)
    {
        if (Tensor.AreDeterministicAlgorithmsEnabled)
        {
            IndexAddDeterministic(x, index, y);
            return;
        }
        Run("IndexAdd", [x, index, y], () =>
        {
            long rows = Math.Max(y.ShapeRef[0], 1), row = y.Size / rows;
            Elementwise("index_add_" + F(x, "IndexAdd"), x.Size, P(x), P(index), P(y), index.Size, row, (long)y.ShapeRef[0], _errors);
        });
        CheckIndexErrors("IndexAdd", y.ShapeRef[0]);
    }

    private void IndexAddDeterministic(Tensor x, Tensor index, Tensor y)
    {
        var idx = new int[index.Size];
        CopyToHost(index, idx);
        var (order, starts, dest) = IndexSegments(idx, y.ShapeRef[0], "IndexAdd");
        if (dest.Length == 0) return;
        long row = y.Size / y.ShapeRef[0];
        using var o = Tensor.FromArray(order, null, Device);
        using var s = Tensor.FromArray(starts, null, Device);
        using var d = Tensor.FromArray(dest, null, Device);
        Run("IndexAdd (deterministic)", [x, index, y], () =>
            Elementwise("index_add_deterministic_" + F(x, "IndexAdd"), dest.Length * row, P(x), P(o), P(s), P(d), P(y), (long)dest.Length, row));
    }

    /// <summary>
    /// The indices grouped by destination row, a stable counting sort: group g adds into row Dest[g] the rows
    /// Order[Starts[g]] … Order[Starts[g + 1] − 1] of x, in increasing order. Only rows that some index names get
    /// a group. A value outside 0..rows − 1 throws, naming <paramref name="op"/>, the value and its position.
    /// </summary>
    internal static (int[] Order, int[] Starts, int[] Dest) IndexSegments(int[] index, int rows, string op)
    {
        var count = new int[rows + 1];
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)rows)
                throw new ArgumentOutOfRangeException(nameof(index), $"{op}: value {index[i]} at row {i} is outside 0..{rows - 1}.");
            count[index[i] + 1]++;
        }
        for (int r = 0; r < rows; r++) count[r + 1] += count[r];
        var order = new int[index.Length];
        var next = (int[])count.Clone();
        for (int i = 0; i < index.Length; i++) order[next[index[i]]++] = i;
        var dest = Enumerable.Range(0, rows).Where(r => count[r + 1] > count[r]).ToArray();
        var starts = dest.Select(r => count[r]).Append(index.Length).ToArray();
        return (order, starts, dest);
    }

    /// <inheritdoc/>
    public void OneHot(Tensor labels, Tensor y)
    {
        int n = labels.ShapeRef[0], c = y.ShapeRef[1];
        Run("OneHot", [labels, y], () =>
        {
            Fill(y, 0);
            Elementwise("one_hot_" + F(y, "OneHot"), n, P(labels), labels.DType == DType.Int64 ? 1 : 0, P(y), (long)n, (long)c, _errors);
        });
        CheckIndexErrors("OneHot", c);
    }
}
