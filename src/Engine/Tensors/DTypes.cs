namespace Engine;

/// <summary>Facts about each <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.Float32 or DType.Int32 => 4,
        _ => 8,
    };

    /// <summary>True for Float32 and Float64.</summary>
    public static bool IsFloat(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>The <see cref="DType"/> of a CLR element type.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32 :
        typeof(T) == typeof(double) ? DType.Float64 :
        typeof(T) == typeof(int) ? DType.Int32 :
        typeof(T) == typeof(long) ? DType.Int64 :
        throw new NotSupportedException($"No tensor dtype for element type {typeof(T).Name}; expected float, double, int or long.");

    /// <summary>Lower-case name as PyTorch prints it (float32, int64, …).</summary>
    public static string Name(this DType dtype) => dtype.ToString().ToLowerInvariant();
}
