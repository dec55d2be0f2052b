namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y) => Run($"Reduce.{op}(axis {axis})", [x, y], () =>
    {
        var (outer, n, inner) = CpuBackend.AxisView(x.ShapeRef, axis);
        string sfx = F(x, "Reduce");
        PerRow($"reduce_{op.ToString().ToLowerInvariant()}_{sfx}", (long)outer * inner, n, x.DType.SizeOf(), P(x), P(y), (long)n, (long)inner);
    });

    /// <inheritdoc/>
    public void ArgMax(Tensor x, int axis, Tensor y) => Run($"ArgMax(axis {axis})", [x, y], () =>
    {
        var (outer, n, inner) = CpuBackend.AxisView(x.ShapeRef, axis);
        PerRow("argmax_" + F(x, "ArgMax"), (long)outer * inner, n, x.DType.SizeOf() + 4, P(x), P(y), (long)n, (long)inner);
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
    public void IndexAdd(Tensor x, Tensor index, Tensor y)
    {
        Run("IndexAdd", [x, index, y], () =>
        {
            long rows = Math.Max(y.ShapeRef[0], 1), row = y.Size / rows;
            Elementwise("index_add_" + F(x, "IndexAdd"), x.Size, P(x), P(index), P(y), index.Size, row, (long)y.ShapeRef[0], _errors);
        });
        CheckIndexErrors("IndexAdd", y.ShapeRef[0]);
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

    /// <inheritdoc/>
    public unsafe void Permute(Tensor x, int[] perm, Tensor y) => Run("Permute", [x, y], () =>
    {
        int rank = perm.Length;
        if (rank > BroadcastArgs.MaxRank)
            throw new NotSupportedException($"Permute: up to {BroadcastArgs.MaxRank} dimensions on CUDA, got {rank}.");
        var xStride = new long[rank];
        long st = 1;
        for (int d = rank - 1; d >= 0; d--) { xStride[d] = st; st *= x.ShapeRef[d]; }
        var p = new PermutationArgs { Rank = rank };
        for (int d = 0; d < rank; d++)
        {
            p.Shape[d] = y.ShapeRef[d];
            p.Step[d] = xStride[perm[d]];
        }
        Elementwise("permute_" + Sfx(x.DType), y.Size, P(x), P(y), y.Size, p);
    });
}
