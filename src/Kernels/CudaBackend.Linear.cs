namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <summary>The output tile of the matmul kernel: MatMulTile × MatMulTile elements, one thread each.</summary>
    internal const int MatMulTile = 16;

    /// <summary>
    /// The most blocks a matmul launch uses (a 1-D grid; each block strides over further tiles): 65535·8, or
    /// ENGINE_MATMUL_MAX_BLOCKS when set (the host emulation sets a small one so every launch strides).
    /// </summary>
    internal static readonly uint MatMulMaxBlocks =
        uint.TryParse(Environment.GetEnvironmentVariable("ENGINE_MATMUL_MAX_BLOCKS"), out uint b) && b > 0 ? b : 65535u * 8;

    /// <summary>
    /// The launch of the matmul kernel for C [batch, m, n]: batch·⌈m/16⌉·⌈n/16⌉ output tiles (a 64-bit count)
    /// on a 1-D grid of min(tiles, <paramref name="maxBlocks"/>) blocks; the kernel strides over the tiles.
    /// </summary>
    internal static (long Tiles, uint Blocks) MatMulTiles(long m, long n, long batch, uint maxBlocks)
    {
        long tiles = batch * ((m + MatMulTile - 1) / MatMulTile) * ((n + MatMulTile - 1) / MatMulTile);
        return (tiles, (uint)Math.Min(tiles, maxBlocks));
    }

    /// <summary>
    /// Row-major GEMM through column-major cuBLAS: C = op(A)·op(B) in row-major is Cᵀ = op(B)ᵀ·op(A)ᵀ in
    /// column-major, and a row-major [R, C] array is a column-major [C, R] one, so cuBLAS gets
    /// (B, A) swapped, m = N, n = M, with the same transpose flags. Batched 3-D uses strided batches.
    /// Without cuBLAS the matmul_f32/f64 kernel (16×16 tiles, <see cref="MatMulTiles"/>) does the same. With beta = 0 neither reads C
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
                var (_, blocks) = MatMulTiles(m, n, batch, MatMulMaxBlocks);
                Context.LoadKernel("matmul_" + sfx).Launch(new Dim3(blocks), new Dim3(MatMulTile, MatMulTile), 0, Stream.Pointer,
                    P(a), P(b), P(c), m, n, k, transA ? 1 : 0, transB ? 1 : 0, S(a, alpha), S(a, beta), (long)batch);
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
