using System.Runtime.InteropServices;

namespace Engine.Kernels.Native;

/// <summary>cuBLAS (libcublas.so.13/.12/.11, from the CUDA toolkit or a PyTorch wheel): handles and GEMM.</summary>
internal static unsafe partial class CuBlasNative
{
    internal const string Library = "cublas";

    [LibraryImport(Library)] internal static partial int cublasCreate_v2(out IntPtr handle);
    [LibraryImport(Library)] internal static partial int cublasDestroy_v2(IntPtr handle);
    [LibraryImport(Library)] internal static partial int cublasGetVersion_v2(IntPtr handle, out int version);
    [LibraryImport(Library)] internal static partial int cublasSetStream_v2(IntPtr handle, IntPtr stream);
    [LibraryImport(Library)] internal static partial int cublasSetMathMode(IntPtr handle, int mode);

    [LibraryImport(Library)] internal static partial int cublasSgemm_v2(IntPtr handle, int transA, int transB, int m, int n, int k,
        float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);
    [LibraryImport(Library)] internal static partial int cublasDgemm_v2(IntPtr handle, int transA, int transB, int m, int n, int k,
        double* alpha, ulong a, int lda, ulong b, int ldb, double* beta, ulong c, int ldc);
    [LibraryImport(Library)] internal static partial int cublasSgemmStridedBatched(IntPtr handle, int transA, int transB, int m, int n, int k,
        float* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float* beta, ulong c, int ldc, long strideC, int batch);
    [LibraryImport(Library)] internal static partial int cublasDgemmStridedBatched(IntPtr handle, int transA, int transB, int m, int n, int k,
        double* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, double* beta, ulong c, int ldc, long strideC, int batch);

    /// <summary>CUBLAS_OP_N / CUBLAS_OP_T.</summary>
    internal const int OpN = 0, OpT = 1;

    /// <summary>CUBLAS_DEFAULT_MATH (full fp32) and CUBLAS_TF32_TENSOR_OP_MATH.</summary>
    internal const int DefaultMath = 0, Tf32Math = 3;

    internal static void Check(int status, string operation)
    {
        if (status != 0) throw new CudaException(status, StatusName(status), operation);
    }

    internal static string StatusName(int status) => status switch
    {
        1 => "CUBLAS_STATUS_NOT_INITIALIZED",
        3 => "CUBLAS_STATUS_ALLOC_FAILED",
        7 => "CUBLAS_STATUS_INVALID_VALUE",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH",
        11 => "CUBLAS_STATUS_MAPPING_ERROR",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED",
        16 => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => $"cublasStatus {status}",
    };
}
