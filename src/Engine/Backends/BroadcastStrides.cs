namespace Engine;

/// <summary>How a tensor is read when it is broadcast to a larger shape (NumPy's rule, shapes aligned on the right).</summary>
internal static class BroadcastStrides
{
    /// <summary>
    /// Element strides of a tensor of shape <paramref name="s"/> read as the broadcast shape <paramref name="y"/>:
    /// one stride per axis of y, 0 where s has size 1 or lacks the axis (the value is repeated along it).
    /// </summary>
    public static long[] Of(int[] s, int[] y)
    {
        var strides = new long[y.Length];
        long stride = 1;
        for (int d = y.Length - 1, k = s.Length - 1; d >= 0; d--, k--)
        {
            int dim = k >= 0 ? s[k] : 1;
            strides[d] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return strides;
    }
}
