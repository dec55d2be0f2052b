using System.Numerics;

namespace Engine;

/// <summary>
/// The oracle: every op of <see cref="IBackend"/> as one plain loop over managed arrays, with no SIMD,
/// no threads and no caching, generic over float and double so each op has one formula. Read it beside
/// the book's NumPy. <see cref="CpuBackend"/> (the fast CPU path) and CudaBackend are checked against it
/// (OpCases / OpCheck); <c>chapters run ID --device cpu-ref</c> runs a whole exercise on it.
/// Tensors are <see cref="CpuStorage"/>, contiguous row-major, as on <see cref="CpuBackend"/>.
/// </summary>
public sealed partial class CpuReference : IBackend
{
    /// <summary>The one reference backend.</summary>
    public static CpuReference Instance { get; } = new();

    private CpuReference() { }

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    // ---- memory ---------------------------------------------------------------------------

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long length) => new CpuStorage(dtype, length);

    /// <inheritdoc/>
    public void CopyFromHost(Array src, Tensor dst) => Array.Copy(src, Data(dst), dst.Size);

    /// <inheritdoc/>
    public void CopyToHost(Tensor src, Array dst) => Array.Copy(Data(src), dst, src.Size);

    /// <inheritdoc/>
    public void Synchronize() { }

    // ---- helpers --------------------------------------------------------------------------

    /// <summary>The managed array behind a CPU tensor.</summary>
    private static Array Data(Tensor t) => t.Storage is CpuStorage s
        ? s.Data
        : throw new InvalidOperationException($"CpuReference: expected a CPU tensor, got one on {t.Device}.");

    /// <summary>The managed array behind a CPU tensor, typed.</summary>
    private static T[] Data<T>(Tensor t) => (T[])Data(t);

    /// <summary>Throws unless t is Float32 or Float64; true for Float32.</summary>
    private static bool IsF32(Tensor t, string op) => t.DType switch
    {
        DType.Float32 => true,
        DType.Float64 => false,
        _ => throw new InvalidOperationException($"{op}: expected a float tensor, got {t.DType.Name()}."),
    };

    /// <summary>
    /// An op's loop written once for both float dtypes: <see cref="Run{T}"/> runs it with T = float or double,
    /// the element type of the op's tensors. The op's arguments are the struct's fields.
    /// </summary>
    private interface IFloatOp
    {
        /// <summary>Runs the op on tensors whose elements are T.</summary>
        void Run<T>() where T : IFloatingPointIeee754<T>;
    }

    /// <summary>Runs op.Run&lt;float&gt;() when t is Float32, op.Run&lt;double&gt;() when it is Float64; any other dtype throws, naming the op.</summary>
    private static void Dispatch<TOp>(Tensor t, string name, TOp op) where TOp : struct, IFloatOp
    {
        if (IsF32(t, name)) op.Run<float>(); else op.Run<double>();
    }

    /// <summary>T from a double (rounds to float for float32).</summary>
    private static T Of<T>(double v) where T : INumberBase<T> => T.CreateTruncating(v);

    /// <summary>A double from T.</summary>
    private static double D<T>(T v) where T : INumberBase<T> => double.CreateTruncating(v);

    /// <summary>Views a shape as [outer, n, inner] around <paramref name="axis"/> (outer = product before, inner = product after).</summary>
    private static (int Outer, int N, int Inner) AxisView(int[] shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape.Length == 0 ? 1 : shape[axis], inner);
    }

    /// <summary>Class label of row i of an Int32/Int64 label tensor, range-checked against [0, classes).</summary>
    private static int Label(Tensor labels, int i, int classes, string op)
    {
        long label = labels.DType == DType.Int32 ? Data<int>(labels)[i] : Data<long>(labels)[i];
        if (label < 0 || label >= classes)
            throw new ArgumentOutOfRangeException(nameof(labels), $"{op}: label {label} at row {i} is outside 0..{classes - 1}.");
        return (int)label;
    }
}
