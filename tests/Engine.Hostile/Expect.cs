namespace Engine.Hostile;

/// <summary>
/// Cheap checks of a fuzz call's result against a plain reference: the shape, and for elementwise ops every
/// value, recomputed in double from the inputs (NumPy broadcasting, float32 results rounded like the engine's).
/// Each returns null when the result is right, else what is wrong.
/// </summary>
public static class Expect
{
    /// <summary>NumPy broadcasting of two shapes, or null when they do not broadcast.</summary>
    public static int[]? Broadcast(int[] a, int[] b)
    {
        int r = Math.Max(a.Length, b.Length);
        var y = new int[r];
        for (int i = 0; i < r; i++)
        {
            int da = i < r - a.Length ? 1 : a[i - (r - a.Length)], db = i < r - b.Length ? 1 : b[i - (r - b.Length)];
            if (da != db && da != 1 && db != 1) return null;
            y[i] = da == 1 ? db : da;
        }
        return y;
    }

    public static string? Shape(object? result, int[] expected)
    {
        if (result is not Tensor t) return $"expected a tensor, got {result?.GetType().Name ?? "null"}";
        if (t.IsDisposed) return "the result is disposed";
        return t.Shape.SequenceEqual(expected) ? null : $"shape {Tensor.ShapeString(t.Shape)}, expected {Tensor.ShapeString(expected)}";
    }

    /// <summary>A successful call must not have read a disposed input.</summary>
    public static string? Alive(params Tensor?[] inputs) =>
        inputs.Any(t => t is not null && t.IsDisposed) ? "succeeded although an input was disposed" : null;

    /// <summary>y[i] = f(x[i]) for every element.</summary>
    public static string? Unary(object? result, Tensor x, Func<double, double> f)
    {
        if ((Alive(x) ?? Shape(result, x.Shape)) is string bad) return bad;
        var xv = x.ToDoubleArray();
        return Values((Tensor)result!, x.Shape, i => f(xv[i]), x.DType);
    }

    /// <summary>y = f(a, b) with broadcasting, every element.</summary>
    public static string? Binary(object? result, Tensor a, Tensor b, Func<double, double, double> f)
    {
        if (Alive(a, b) is string dead) return dead;
        var shape = Broadcast(a.Shape, b.Shape);
        if (shape is null) return "succeeded although the shapes do not broadcast";
        if (Shape(result, shape) is string bad) return bad;
        double[] av = a.ToDoubleArray(), bv = b.ToDoubleArray();
        return Values((Tensor)result!, shape, i => f(av[Index(i, shape, a.Shape)], bv[Index(i, shape, b.Shape)]), a.DType);
    }

    /// <summary>The element of a broadcast operand of shape <paramref name="from"/> that output element <paramref name="flat"/> reads.</summary>
    private static long Index(long flat, int[] shape, int[] from)
    {
        long index = 0, stride = 1;
        for (int d = shape.Length - 1, s = from.Length - 1; d >= 0; d--, s--)
        {
            long coord = flat % shape[d];
            flat /= shape[d];
            if (s >= 0)
            {
                if (from[s] != 1) index += coord * stride;
                stride *= from[s];
            }
        }
        return index;
    }

    private static string? Values(Tensor y, int[] shape, Func<long, double> want, DType dtype)
    {
        var got = y.ToDoubleArray();
        for (long i = 0; i < got.Length; i++)
        {
            double w = want(i);
            if (dtype == DType.Float32) w = (float)w;
            if (!Close(got[i], w, dtype)) return $"element {i} of {Tensor.ShapeString(shape)} is {got[i]:R}, expected {w:R}";
        }
        return null;
    }

    public static bool Close(double got, double want, DType dtype)
    {
        if (double.IsNaN(want)) return double.IsNaN(got);
        if (double.IsInfinity(want)) return got == want;
        double tol = dtype == DType.Float32 ? 2e-6 : 1e-12;
        return Math.Abs(got - want) <= tol * Math.Max(1, Math.Abs(want));
    }
}
