namespace Engine;

/// <summary>
/// A tensor of shape <c>shape</c> seen as [Outer, N, Inner] around one axis: Outer is the product of the
/// sizes before the axis, N its size, Inner the product after it (a reduction along the axis has
/// Outer·Inner outputs). 64-bit, so the products stay exact above 2^31 elements (a GPU tensor can be
/// that large).
/// </summary>
internal readonly record struct AxisView(long Outer, long N, long Inner)
{
    /// <summary>The view of <paramref name="shape"/> around <paramref name="axis"/> (a scalar is [1, 1, 1]).</summary>
    public static AxisView Of(int[] shape, int axis)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return new AxisView(outer, shape.Length == 0 ? 1 : shape[axis], inner);
    }

    /// <summary>Outer·Inner: the number of outputs of a reduction along the axis.</summary>
    public long Rows => Outer * Inner;
}
