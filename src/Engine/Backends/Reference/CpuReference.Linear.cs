using System.Numerics;

namespace Engine;

// GEMM: c = alpha · op(a) · op(b) + beta · c, the triple loop of the textbook.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0)
    {
        int r = a.Rank;
        int batch = r == 3 ? a.ShapeRef[0] : 1;
        int m = c.ShapeRef[r - 2], n = c.ShapeRef[r - 1];
        int k = transA ? a.ShapeRef[r - 2] : a.ShapeRef[r - 1];
        if (IsF32(a, "MatMul")) MatMulT(Data<float>(a), Data<float>(b), Data<float>(c), batch, m, n, k, transA, transB, (float)alpha, (float)beta);
        else MatMulT(Data<double>(a), Data<double>(b), Data<double>(c), batch, m, n, k, transA, transB, alpha, beta);
    }

    /// <summary>
    /// Per batch: c[i, j] = beta · c[i, j] + Σ_p alpha · A[i, p] · B[p, j], with A = a [M, K] (or aᵀ of a [K, M])
    /// and B = b [K, N] (or bᵀ of b [N, K]). beta = 0 overwrites c without reading it (BLAS), so NaN in c does
    /// not leak. Loop order i, p, j: the inner loop walks a row of c (and of b when it is not transposed).
    /// </summary>
    private static void MatMulT<T>(T[] a, T[] b, T[] c, int batch, int m, int n, int k, bool transA, bool transB, T alpha, T beta)
        where T : IFloatingPointIeee754<T>
    {
        for (int z = 0; z < batch; z++)
        {
            long oa = (long)z * m * k, ob = (long)z * k * n, oc = (long)z * m * n;
            for (int i = 0; i < m; i++)
            {
                long row = oc + (long)i * n;
                for (int j = 0; j < n; j++) c[row + j] = beta == T.Zero ? T.Zero : beta * c[row + j];
                for (int p = 0; p < k; p++)
                {
                    T aip = alpha * (transA ? a[oa + (long)p * m + i] : a[oa + (long)i * k + p]);
                    for (int j = 0; j < n; j++) c[row + j] += aip * (transB ? b[ob + (long)j * k + p] : b[ob + (long)p * n + j]);
                }
            }
        }
    }
}
