using NUnit.Framework;

namespace Engine.Tests;

/// <summary>Element-by-element comparison of two tensors, the tolerance relative to the larger of 1 and max |expected|.</summary>
internal static class TensorAssert
{
    /// <summary>Fails naming <paramref name="what"/> and the first element of <paramref name="got"/> farther than tol·scale from <paramref name="expected"/>.</summary>
    internal static void Close(Tensor got, Tensor expected, double tol, string what)
    {
        var g = got.ToDoubleArray();
        var e = expected.ToDoubleArray();
        Assert.That(g, Has.Length.EqualTo(e.Length), what);
        double scale = e.Length == 0 ? 1 : Math.Max(1, e.Max(Math.Abs));
        for (int i = 0; i < g.Length; i++)
            if (!(Math.Abs(g[i] - e[i]) <= tol * scale)) Assert.Fail($"{what}: element {i} is {g[i]}, expected {e[i]} (±{tol * scale:G3}).");
    }
}
