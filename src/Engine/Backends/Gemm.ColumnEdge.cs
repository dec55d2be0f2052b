using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

public static partial class Gemm
{
    /// <summary>Widest last strip of C that <see cref="ColumnEdge256{T}"/> computes (a transposed A only).</summary>
    internal const int ColumnEdgeMaxCols = 4;

    /// <summary>
    /// The last, narrow strip of C (cols ≤ 4, e.g. the 2 columns N = 50 leaves after three 16-wide strips) for a
    /// transposed A read in place (A stored [K, M]: element (r, p) at a[p·lda + r]): C[r, j] (+)= alpha·Σ_p A[r, p]·b[p·ldb + j]
    /// for r &lt; rows. Vectors run down C's columns, 2·Vector256 rows at a time against 4 broadcast B values
    /// (8 accumulators; columns past cols repeat column 0 and are dropped), so the strip costs what its columns
    /// need instead of a vector-wide tile per 6 rows. Every element is the same FMA chain over p as in the tile
    /// kernels, so the results are bit for bit theirs. At most 2 columns go 4·Vector256 rows at a time against 2 B values
    /// instead. The rows past the last full pair of vectors go as one pair under lane masks (one by one without AVX).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void ColumnEdge256<T>(int kc, T* a, nint lda, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        nint j1 = cols > 1 ? 1 : 0, j2 = cols > 2 ? 2 : 0, j3 = cols > 3 ? 3 : 0;
        T* tile = stackalloc T[2 * w * ColumnEdgeMaxCols];
        int r = 0;
        if (cols <= 2)
        {
            // At most 2 columns: 4 vectors of rows against 2 broadcast B values (the same 8 accumulators, all of them used).
            for (; r + 4 * w <= rows; r += 4 * w)
            {
                Vector256<T> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
                T* ap = a + r, bp = b;
                for (int p = 0; p < kc; p++)
                {
                    var a0 = Vector256.Load(ap); var a1 = Vector256.Load(ap + w);
                    var a2 = Vector256.Load(ap + 2 * w); var a3 = Vector256.Load(ap + 3 * w);
                    var x = Vector256.Create(bp[0]);
                    c00 = Fma256(a0, x, c00); c01 = Fma256(a1, x, c01); c02 = Fma256(a2, x, c02); c03 = Fma256(a3, x, c03);
                    x = Vector256.Create(bp[j1]);
                    c10 = Fma256(a0, x, c10); c11 = Fma256(a1, x, c11); c12 = Fma256(a2, x, c12); c13 = Fma256(a3, x, c13);
                    ap += lda;
                    bp += ldb;
                }
                // tile[j·4w + l] = C value for row r + l, column j.
                int t = 4 * w;
                (c00 * alpha).Store(tile); (c01 * alpha).Store(tile + w); (c02 * alpha).Store(tile + 2 * w); (c03 * alpha).Store(tile + 3 * w);
                (c10 * alpha).Store(tile + t); (c11 * alpha).Store(tile + t + w); (c12 * alpha).Store(tile + t + 2 * w); (c13 * alpha).Store(tile + t + 3 * w);
                for (int l = 0; l < t; l++)
                    for (int j = 0; j < cols; j++)
                    {
                        T* cij = c + (long)(r + l) * ldc + j;
                        *cij = accumulate ? *cij + tile[j * t + l] : tile[j * t + l];
                    }
            }
        }
        // Pairs of vectors; the last rows (fewer than 2w) as one more pair under lane masks where the CPU has masked loads.
        for (; r + 2 * w <= rows || r < rows && HasMaskedStores<T>(); r += 2 * w)
        {
            Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            T* ap = a + r, bp = b;
            int valid = Math.Min(2 * w, rows - r);
            var mask0 = FirstLanes<T>(valid);
            var mask1 = FirstLanes<T>(valid - w);
            for (int p = 0; p < kc; p++)
            {
                var a0 = valid == 2 * w ? Vector256.Load(ap) : LoadFirst(ap, mask0);
                var a1 = valid == 2 * w ? Vector256.Load(ap + w) : LoadFirst(ap + w, mask1);
                var x = Vector256.Create(bp[0]); c00 = Fma256(a0, x, c00); c01 = Fma256(a1, x, c01);
                x = Vector256.Create(bp[j1]); c10 = Fma256(a0, x, c10); c11 = Fma256(a1, x, c11);
                x = Vector256.Create(bp[j2]); c20 = Fma256(a0, x, c20); c21 = Fma256(a1, x, c21);
                x = Vector256.Create(bp[j3]); c30 = Fma256(a0, x, c30); c31 = Fma256(a1, x, c31);
                ap += lda;
                bp += ldb;
            }
            // tile[j·2w + l] = C value for row r + l, column j.
            int t = 2 * w;
            (c00 * alpha).Store(tile); (c01 * alpha).Store(tile + w);
            (c10 * alpha).Store(tile + t); (c11 * alpha).Store(tile + t + w);
            (c20 * alpha).Store(tile + 2 * t); (c21 * alpha).Store(tile + 2 * t + w);
            (c30 * alpha).Store(tile + 3 * t); (c31 * alpha).Store(tile + 3 * t + w);
            for (int l = 0; l < valid; l++)
                for (int j = 0; j < cols; j++)
                {
                    T* cij = c + (long)(r + l) * ldc + j;
                    *cij = accumulate ? *cij + tile[j * t + l] : tile[j * t + l];
                }
        }
        for (; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                T acc = T.Zero;
                for (int p = 0; p < kc; p++) acc = Fma.IsSupported ? T.FusedMultiplyAdd(a[p * lda + r], b[p * ldb + j], acc) : a[p * lda + r] * b[p * ldb + j] + acc;
                acc *= alpha;
                T* cij = c + (long)r * ldc + j;
                *cij = accumulate ? *cij + acc : acc;
            }
    }
}
