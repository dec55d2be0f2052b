namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Row-major GEMM through column-major cuBLAS: C = op(A)·op(B) in row-major is Cᵀ = op(B)ᵀ·op(A)ᵀ in
    /// column-major, and a row-major [R, C] array is a column-major [C, R] one, so cuBLAS gets
    /// (B, A) swapped, m = N, n = M, with the same transpose flags. Batched 3-D uses strided batches.
    /// Without cuBLAS the matmul_f32/f64 kernel (16×16 tiles) does the same. With beta = 0 neither reads C
    /// (cuBLAS: "C need not be a valid input"; the kernel: beta = 0 never reads c), so C may be uninitialised.
    /// </summary>
    public void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0) =>
        Run($"MatMul(transA={transA}, transB={transB})", [a, b, c], () =>
        {
            int r = a.Rank;
            int batch = r == 3 ? a.ShapeRef[0] : 1;
            int m = c.ShapeRef[r - 2], n = c.ShapeRef[r - 1];
            int k = transA ? a.ShapeRef[r - 2] : a.ShapeRef[r - 1];
            if ((long)m * n * batch == 0) return;
            if (k == 0)
            {
                // An empty inner dimension: op(A)·op(B) = 0, so C = beta·C; beta = 0 clears (C may be
                // uninitialised, and NaN·0 would leak), as BLAS and the CPU's Gemm do.
                if (beta == 0) Fill(c, 0);
                else BinaryScalar(BinaryOp.Mul, c, beta, c);
                return;
            }
            string sfx = F(a, "MatMul");
            if (_blas is null)
            {
                var grid = new Dim3((uint)((n + 15) / 16), (uint)((m + 15) / 16), (uint)batch);
                Context.LoadKernel("matmul_" + sfx).Launch(grid, new Dim3(16, 16), 0, Stream.Pointer,
                    P(a), P(b), P(c), m, n, k, transA ? 1 : 0, transB ? 1 : 0, S(a, alpha), S(a, beta));
                return;
            }
            int lda = transA ? m : k, ldb = transB ? k : n;
            if (sfx == "f32")
            {
                if (batch == 1) _blas.Gemm(transB, transA, n, m, k, (float)alpha, P(b), ldb, P(a), lda, (float)beta, P(c), n);
                else _blas.GemmStridedBatched(transB, transA, n, m, k, (float)alpha, P(b), ldb, (long)k * n, P(a), lda, (long)m * k, (float)beta, P(c), n, (long)m * n, batch);
            }
            else
            {
                if (batch == 1) _blas.Gemm(transB, transA, n, m, k, alpha, P(b), ldb, P(a), lda, beta, P(c), n);
                else _blas.GemmStridedBatched(transB, transA, n, m, k, alpha, P(b), ldb, (long)k * n, P(a), lda, (long)m * k, beta, P(c), n, (long)m * n, batch);
            }
        });
}
