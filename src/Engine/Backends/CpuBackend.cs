using System.Numerics;

namespace Engine;

/// <summary>
/// The reference backend: every op of <see cref="IBackend"/> as plain, readable loops over managed
/// arrays (generic over float and double), with vectorised and multithreaded fast paths where a
/// learner would feel the speed (GEMM, elementwise). The CUDA kernels are checked against it.
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

    /// <summary>Throws unless t is Float32 or Float64; true for Float32.</summary>
    private static bool IsF32(Tensor t, string op) => t.DType switch
    {
        DType.Float32 => true,
        DType.Float64 => false,
        _ => throw new InvalidOperationException($"{op}: expected a float tensor, got {t.DType.Name()}."),
    };

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

    // ---- fill, copy, cast -----------------------------------------------------------------

    /// <inheritdoc/>
    public void Fill(Tensor t, double value)
    {
        switch (t.DType)
        {
            case DType.Float32: t.Span<float>().Fill((float)value); break;
            case DType.Float64: t.Span<double>().Fill(value); break;
            case DType.Int32: t.Span<int>().Fill((int)value); break;
            default: t.Span<long>().Fill((long)value); break;
        }
    }

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst) => Array.Copy(((CpuStorage)src.Storage).Data, ((CpuStorage)dst.Storage).Data, src.Size);

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst)
    {
        var s = ((CpuStorage)src.Storage).Data;
        var d = ((CpuStorage)dst.Storage).Data;
        switch (s)
        {
            case float[] a: CastFrom<float>(a, d); break;
            case double[] a: CastFrom<double>(a, d); break;
            case int[] a: CastFrom<int>(a, d); break;
            case long[] a: CastFrom<long>(a, d); break;
            default: throw new NotSupportedException($"Cast: no CPU storage of {s.GetType().Name}");
        }
    }

    private static void CastFrom<TFrom>(TFrom[] a, Array d) where TFrom : unmanaged, INumberBase<TFrom>
    {
        switch (d)
        {
            case float[] b: CastLoop(a, b); break;
            case double[] b: CastLoop(a, b); break;
            case int[] b: CastLoop(a, b); break;
            case long[] b: CastLoop(a, b); break;
            default: throw new NotSupportedException($"Cast: no CPU storage of {d.GetType().Name}");
        }
    }

    // b[i] = (TTo) a[i] as C casts it: floats → integers truncate toward zero (PyTorch's .long(), NumPy's
    // astype(int)) and saturate at the integer's range, NaN → 0; long → int keeps the low 32 bits.
    private static void CastLoop<TFrom, TTo>(TFrom[] a, TTo[] b) where TFrom : unmanaged, INumberBase<TFrom> where TTo : unmanaged, INumberBase<TTo>
    {
        for (int i = 0; i < a.Length; i++) b[i] = TTo.CreateTruncating(a[i]);
    }
}
