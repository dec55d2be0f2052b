namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y) => Run($"Reduce.{op}(axis {axis})", [x, y], () =>
    {
        var v = AxisView.Of(x.ShapeRef, axis);
        string sfx = F(x, "Reduce");
        PerRow($"reduce_{op.ToString().ToLowerInvariant()}_{sfx}", v.Rows, v.N, x.DType.SizeOf(), P(x), P(y), v.N, v.Inner);
    });

    /// <inheritdoc/>
    public void ArgMax(Tensor x, int axis, Tensor y) => Run($"ArgMax(axis {axis})", [x, y], () =>
    {
        var v = AxisView.Of(x.ShapeRef, axis);
        PerRow("argmax_" + F(x, "ArgMax"), v.Rows, v.N, x.DType.SizeOf() + 4, P(x), P(y), v.N, v.Inner);
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
    /// <remarks>index_add adds with float atomics (where indices repeat, the order of the additions varies run to run);
    /// with <see cref="Tensor.AreDeterministicAlgorithmsEnabled"/> index_add_deterministic gives each column of y one
    /// thread that adds the rows of x in index order (the CPU twin's bits, every run).</remarks>
    public void IndexAdd(Tensor x, Tensor index, Tensor y)
    {
        Run("IndexAdd", [x, index, y], () =>
        {
            long rows = Math.Max(y.ShapeRef[0], 1), row = y.Size / rows;
            string sfx = F(x, "IndexAdd");
            if (Tensor.AreDeterministicAlgorithmsEnabled)
                Elementwise("index_add_deterministic_" + sfx, row, P(x), P(index), P(y), index.Size, row, (long)y.ShapeRef[0], _errors);
            else
                Elementwise("index_add_" + sfx, x.Size, P(x), P(index), P(y), index.Size, row, (long)y.ShapeRef[0], _errors);
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
}
