using System.Numerics;

namespace Engine;

// GEMM: c = alpha · op(a) · op(b) + beta · c, the triple loop of the textbook.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0)
        => Dispatch(a, "MatMul", new MatMulCall(a, b, c, transA, transB, alpha, beta));

    /// <summary>
    /// Per batch: c[i, j] = beta · c[i, j] + Σ_p alpha · A[i, p] · B[p, j], with A = a [M, K] (or aᵀ of a [K, M])
    /// and B = b [K, N] (or bᵀ of b [N, K]). beta = 0 overwrites c without reading it (BLAS), so NaN in c does
    /// not leak. Loop order i, p, j: the inner loop walks a row of c (and of b when it is not transposed).
    /// </summary>
    private readonly record struct MatMulCall(Tensor A, Tensor B, Tensor C, bool TransA, bool TransB, double Alpha, double Beta) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] a = Data<T>(A), b = Data<T>(B), c = Data<T>(C);
            T alpha = Of<T>(Alpha), beta = Of<T>(Beta);
            int r = A.Rank;
            int batch = r == 3 ? A.ShapeRef[0] : 1;
            int m = C.ShapeRef[r - 2], n = C.ShapeRef[r - 1];
            int k = TransA ? A.ShapeRef[r - 2] : A.ShapeRef[r - 1];
            for (int z = 0; z < batch; z++)
            {
                long oa = (long)z * m * k, ob = (long)z * k * n, oc = (long)z * m * n;
                for (int i = 0; i < m; i++)
                {
                    long row = oc + (long)i * n;
                    for (int j = 0; j < n; j++) c[row + j] = beta == T.Zero ? T.Zero : beta * c[row + j];
                    for (int p = 0; p < k; p++)
                    {
                        T aip = alpha * (TransA ? a[oa + (long)p * m + i] : a[oa + (long)i * k + p]);
                        for (int j = 0; j < n; j++) c[row + j] += aip * (TransB ? b[ob + (long)j * k + p] : b[ob + (long)p * n + j]);
                    }
                }
            }
        }
    }
}
