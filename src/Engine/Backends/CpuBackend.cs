using System.Numerics;

namespace Engine;

/// <summary>
/// The fast CPU backend: every op of <see cref="IBackend"/> over managed arrays, each written once as a
/// generic body for float and double (<see cref="Dispatch{TOp}"/> picks the element type), in one file
/// per op family (CpuBackend.Elementwise, .Reduce, .Linear, .Softmax, .Conv, .Pool, .BatchNorm, .Optim,
/// .Style) and its speed tricks in files named for them (packed GEMM in Gemm*.cs, SIMD elementwise
/// loops, image-by-image convolution, AVX2 max pooling, the resident <see cref="WorkerPool"/>).
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    /// <summary>The one CPU backend.</summary>
    public static CpuBackend Instance { get; } = new();

    private CpuBackend() { }

    /// <inheritdoc/>
    public Device Device => Device.Cpu;

    /// <summary>Elements below which ops stay on one thread.</summary>
    internal const int ParallelThreshold = 1 << 15;

    /// <summary>Runs body(start, end) over [0, n) in chunks, in parallel when n is large.</summary>
    internal static void For(long n, Action<int, int> body, int grain = ParallelThreshold)
    {
        if (n <= grain || WorkerPool.Threads == 1) { body(0, (int)n); return; }
        int chunks = (int)Math.Min(WorkerPool.Threads * 4, (n + grain - 1) / grain);
        long per = (n + chunks - 1) / chunks;
        WorkerPool.For(chunks, c =>
        {
            int s = (int)(c * per), e = (int)Math.Min(n, s + per);
            if (s < e) body(s, e);
        });
    }

    /// <summary>
    /// An op's body written once for both float dtypes: <see cref="Run{T}"/> runs it with T = float or
    /// double, the element type of the op's tensors (a struct, so the JIT compiles one copy per T).
    /// </summary>
    private interface IFloatOp
    {
        /// <summary>Runs the op on tensors whose elements are T.</summary>
        void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>;
    }

    /// <summary>
    /// Runs op.Run&lt;float&gt;() when <paramref name="t"/> is Float32, op.Run&lt;double&gt;() when it is Float64;
    /// any other dtype throws, naming <paramref name="name"/>.
    /// </summary>
    private static void Dispatch<TOp>(Tensor t, string name, TOp op) where TOp : struct, IFloatOp
    {
        switch (t.DType)
        {
            case DType.Float32: op.Run<float>(); break;
            case DType.Float64: op.Run<double>(); break;
            default: throw new InvalidOperationException($"{name}: expected a float tensor, got {t.DType.Name()}.");
        }
    }

    /// <summary>The managed array behind a CPU tensor.</summary>
    private static T[] Data<T>(Tensor t) => (T[])((CpuStorage)t.Storage).Data;

    // ---- memory ---------------------------------------------------------------------------

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long length) => new CpuStorage(dtype, length);

    /// <inheritdoc/>
    public Storage AllocateUninitialized(DType dtype, long length) => new CpuStorage(dtype, length, pinned: false, clear: false);

    /// <inheritdoc/>
    public void CopyFromHost(Array src, Tensor dst) => Array.Copy(src, ((CpuStorage)dst.Storage).Data, dst.Size);

    /// <inheritdoc/>
    public void CopyToHost(Tensor src, Array dst) => Array.Copy(((CpuStorage)src.Storage).Data, dst, src.Size);

    /// <inheritdoc/>
    public void Synchronize() { }
}
