namespace Engine;

public sealed partial class Tensor
{
    /// <summary>Live tensors, buffers and bytes per device (tf.memory()).</summary>
    public static MemoryInfo Memory() => new(MemoryCounters.Snapshot());

    /// <summary>
    /// tf.tidy: runs <paramref name="f"/> in a scope that disposes every tensor it created except the
    /// returned tensor(s) (a Tensor, or a collection of tensors), which move to the enclosing scope.
    /// Variables and other persistent tensors (weights, gradients, optimiser state) are never freed.
    /// </summary>
    public static T Tidy<T>(Func<T> f) where T : class
    {
        ArgumentNullException.ThrowIfNull(f);
        using var scope = Scope();
        var result = f();
        return scope.Keep(result);
    }

    /// <summary>tf.tidy for a body that returns nothing: every tensor it creates is freed at the end.</summary>
    public static void Tidy(Action f)
    {
        ArgumentNullException.ThrowIfNull(f);
        using var scope = Scope();
        f();
    }
}
