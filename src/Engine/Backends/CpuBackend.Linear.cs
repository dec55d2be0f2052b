using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0)
        => Dispatch(a, "MatMul", new MatMulCall(a, b, c, transA, transB, alpha, beta));

    private readonly record struct MatMulCall(Tensor A, Tensor B, Tensor C, bool TransA, bool TransB, double Alpha, double Beta) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => MatMulT<T>(A, B, C, TransA, TransB, Alpha, Beta);
    }

    /// <summary>c[i] = alpha · op(a[i]) · op(b[i]) + beta · c[i] for each matrix i of a batch (rank 3) or the one matrix (rank 2), by <see cref="Gemm"/>.</summary>
    private static void MatMulT<T>(Tensor a, Tensor b, Tensor c, bool transA, bool transB, double alpha, double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r = a.Rank;
        int batch = r == 3 ? a.ShapeRef[0] : 1;
        int m = c.ShapeRef[r - 2], n = c.ShapeRef[r - 1];
        int k = transA ? a.ShapeRef[r - 2] : a.ShapeRef[r - 1];
        T[] av = Data<T>(a), bv = Data<T>(b), cv = Data<T>(c);
        T al = T.CreateTruncating(alpha), be = T.CreateTruncating(beta);
        for (int i = 0; i < batch; i++)
            Gemm.Run(transA, transB, m, n, k, al, av.AsMemory(i * m * k, m * k), bv.AsMemory(i * k * n, k * n), be, cv.AsMemory(i * m * n, m * n));
    }
}
