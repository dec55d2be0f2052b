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
    /// Per batch: c[i, j] = alpha · Σ_p A[i, p] · B[p, j] + beta · c[i, j], with A = a [M, K] (or aᵀ of a [K, M])
    /// and B = b [K, N] (or bᵀ of b [N, K]). beta = 0 overwrites c without reading it (BLAS), so NaN in c does not leak.
    /// </summary>
    private static void MatMulT<T>(T[] a, T[] b, T[] c, int batch, int m, int n, int k, bool transA, bool transB, T alpha, T beta)
        where T : IFloatingPointIeee754<T>
    {
        for (int z = 0; z < batch; z++)
        {
            long oa = (long)z * m * k, ob = (long)z * k * n, oc = (long)z * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    T sum = T.Zero;
                    for (int p = 0; p < k; p++)
                    {
                        T aip = transA ? a[oa + (long)p * m + i] : a[oa + (long)i * k + p];
                        T bpj = transB ? b[ob + (long)j * k + p] : b[ob + (long)p * n + j];
                        sum += aip * bpj;
                    }
                    long ij = oc + (long)i * n + j;
                    c[ij] = beta == T.Zero ? alpha * sum : alpha * sum + beta * c[ij];
                }
        }
    }
}
