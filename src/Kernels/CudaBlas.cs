using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// A cuBLAS handle bound to a context and stream (ManagedCuda's CudaBlas). cuBLAS is column-major:
/// <see cref="Gemm(bool, bool, int, int, int, float, ulong, int, ulong, int, float, ulong, int)"/>
/// computes C = alpha·op(A)·op(B) + beta·C on column-major operands; CudaBackend.MatMul maps its
/// row-major tensors onto it (Cᵀ = op(B)ᵀ·op(A)ᵀ). TF32 tensor-core math is off unless <see cref="Tf32"/> is set.
/// </summary>
public sealed unsafe class CudaBlas : IDisposable
{
    private readonly CudaContext _context;
    private IntPtr _handle;
    private bool _tf32;

    /// <summary>True when libcublas can be loaded (set ENGINE_NO_CUBLAS=1 to pretend it cannot).</summary>
    public static bool IsAvailable => Environment.GetEnvironmentVariable("ENGINE_NO_CUBLAS") != "1"
                                      && NativeLibraries.TryLoad(CuBlasNative.Library, out _) != IntPtr.Zero;

    /// <summary>Which libcublas file was loaded, or why none was.</summary>
    public static string LibraryDescription
    {
        get
        {
            NativeLibraries.TryLoad(CuBlasNative.Library, out string detail);
            return detail;
        }
    }

    /// <summary>Creates a handle in <paramref name="context"/>, queueing on <paramref name="stream"/> (null: default stream).</summary>
    public CudaBlas(CudaContext context, CudaStream? stream = null)
    {
        _context = context;
        if (!IsAvailable) throw new InvalidOperationException($"cuBLAS is unavailable: libcublas {LibraryDescription}.");
        context.SetCurrent();
        CuBlasNative.Check(CuBlasNative.cublasCreate_v2(out _handle), "cublasCreate");
        if (stream is not null) CuBlasNative.Check(CuBlasNative.cublasSetStream_v2(_handle, stream.Pointer), "cublasSetStream");
        CuBlasNative.Check(CuBlasNative.cublasSetMathMode(_handle, CuBlasNative.DefaultMath), "cublasSetMathMode(default)");
    }

    /// <summary>cuBLAS version as an integer (e.g. 130100).</summary>
    public int Version => CuBlasNative.cublasGetVersion_v2(_handle, out int v) == 0 ? v : -1;

    /// <summary>Lets SGEMM use TF32 tensor cores (10-bit mantissa products; faster, less exact). Off by default.</summary>
    public bool Tf32
    {
        get => _tf32;
        set
        {
            _context.SetCurrent();
            CuBlasNative.Check(CuBlasNative.cublasSetMathMode(_handle, value ? CuBlasNative.Tf32Math : CuBlasNative.DefaultMath), $"cublasSetMathMode(tf32={value})");
            _tf32 = value;
        }
    }

    /// <summary>Column-major SGEMM: C[m,n] = alpha·op(A)·op(B) + beta·C with leading dimensions lda, ldb, ldc.</summary>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
    {
        _context.SetCurrent();
        CuBlasNative.Check(CuBlasNative.cublasSgemm_v2(_handle, Op(transA), Op(transB), m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc),
            $"cublasSgemm(m={m}, n={n}, k={k}, transA={transA}, transB={transB})");
    }

    /// <summary>Column-major DGEMM.</summary>
    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, ulong a, int lda, ulong b, int ldb, double beta, ulong c, int ldc)
    {
        _context.SetCurrent();
        CuBlasNative.Check(CuBlasNative.cublasDgemm_v2(_handle, Op(transA), Op(transB), m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc),
            $"cublasDgemm(m={m}, n={n}, k={k}, transA={transA}, transB={transB})");
    }

    /// <summary>Column-major strided batched SGEMM: <paramref name="batch"/> GEMMs at element strides sa, sb, sc.</summary>
    public void GemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha, ulong a, int lda, long sa, ulong b, int ldb, long sb, float beta, ulong c, int ldc, long sc, int batch)
    {
        _context.SetCurrent();
        CuBlasNative.Check(CuBlasNative.cublasSgemmStridedBatched(_handle, Op(transA), Op(transB), m, n, k, &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc, batch),
            $"cublasSgemmStridedBatched(m={m}, n={n}, k={k}, batch={batch})");
    }

    /// <summary>Column-major strided batched DGEMM.</summary>
    public void GemmStridedBatched(bool transA, bool transB, int m, int n, int k, double alpha, ulong a, int lda, long sa, ulong b, int ldb, long sb, double beta, ulong c, int ldc, long sc, int batch)
    {
        _context.SetCurrent();
        CuBlasNative.Check(CuBlasNative.cublasDgemmStridedBatched(_handle, Op(transA), Op(transB), m, n, k, &alpha, a, lda, sa, b, ldb, sb, &beta, c, ldc, sc, batch),
            $"cublasDgemmStridedBatched(m={m}, n={n}, k={k}, batch={batch})");
    }

    private static int Op(bool t) => t ? CuBlasNative.OpT : CuBlasNative.OpN;

    /// <summary>Destroys the handle.</summary>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _context.SetCurrent();
        CuBlasNative.cublasDestroy_v2(_handle);
        _handle = IntPtr.Zero;
    }
}
