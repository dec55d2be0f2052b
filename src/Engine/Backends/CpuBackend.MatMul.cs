using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0)
    {
        int r = a.Rank;
        int batch = r == 3 ? a.ShapeRef[0] : 1;
        int m = c.ShapeRef[r - 2], n = c.ShapeRef[r - 1];
        int k = transA ? a.ShapeRef[r - 2] : a.ShapeRef[r - 1];
        if (IsF32(a, "MatMul"))
        {
            var (av, bv, cv) = ((float[])((CpuStorage)a.Storage).Data, (float[])((CpuStorage)b.Storage).Data, (float[])((CpuStorage)c.Storage).Data);
            for (int i = 0; i < batch; i++)
                Gemm.Run(transA, transB, m, n, k, (float)alpha, av.AsMemory(i * m * k, m * k), bv.AsMemory(i * k * n, k * n), (float)beta, cv.AsMemory(i * m * n, m * n));
        }
        else
        {
            var (av, bv, cv) = ((double[])((CpuStorage)a.Storage).Data, (double[])((CpuStorage)b.Storage).Data, (double[])((CpuStorage)c.Storage).Data);
            for (int i = 0; i < batch; i++)
                Gemm.Run(transA, transB, m, n, k, alpha, av.AsMemory(i * m * k, m * k), bv.AsMemory(i * k * n, k * n), beta, cv.AsMemory(i * m * n, m * n));
        }
    }
}
