namespace Engine.Layers;

/// <summary>
/// A height × width pair (kernel size, strides, pool size), written as Keras allows: one int for
/// both (5), a tuple ((2, 2)) or an array (new[] { 2, 2 }).
/// </summary>
public readonly record struct IntPair(int H, int W)
{
    /// <summary>The same value for height and width.</summary>
    public static implicit operator IntPair(int n) => new(n, n);

    /// <summary>(height, width).</summary>
    public static implicit operator IntPair((int H, int W) t) => new(t.H, t.W);

    /// <summary>[height, width] or [both].</summary>
    public static implicit operator IntPair(int[] a) => a.Length switch
    {
        1 => new(a[0], a[0]),
        2 => new(a[0], a[1]),
        _ => throw new ArgumentException($"Expected one or two sizes (height, width), got {Tensor.ShapeString(a)}."),
    };

    /// <summary>Throws unless both are positive.</summary>
    internal IntPair CheckPositive(string what, string layer) => H > 0 && W > 0 ? this
        : throw new ArgumentOutOfRangeException(what, $"{layer}: {what} must be positive, got ({H}, {W}).");

    /// <summary>[H, W].</summary>
    public int[] ToArray() => [H, W];
}
