using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

public static partial class Gemm
{
    /// <summary>
    /// Packs rows [i0, i0+rows) × K slice [p0, p0+kc) of alpha·op(A) into MR-tall strips:
    /// strip s holds dst[s·MR·kc + p·MR + r] = alpha·op(A)[i0 + s·MR + r, p0 + p], zero past the last row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void PackA<T>(bool transA, T* a, int m, int k, int i0, int rows, int p0, int kc, T alpha, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int s = 0; s < rows; s += MR)
        {
            int h = Math.Min(MR, rows - s);
            T* d = dst + (long)s * kc;
            if (!transA)
            {
                for (int r = 0; r < h; r++)
                {
                    T* src = a + (long)(i0 + s + r) * k + p0;
                    for (int p = 0; p < kc; p++) d[p * MR + r] = alpha * src[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = a + (long)(p0 + p) * m + i0 + s;
                    for (int r = 0; r < h; r++) d[p * MR + r] = alpha * src[r];
                }
            }
            if (h < MR)
                for (int p = 0; p < kc; p++)
                    for (int r = h; r < MR; r++) d[p * MR + r] = T.Zero;
        }
    }

    /// <summary>
    /// Packs strips [q0, q1) of the K slice [p0, p0+kc) × columns [j0, j0+cols) of op(B):
    /// strip q holds dst[q·NR·kc + p·NR + j] = op(B)[p0 + p, j0 + q·NR + j], zero past the last column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void PackB<T>(bool transB, T* b, int n, int k, int j0, int cols, int p0, int kc, int nr, T* dst, int q0, int q1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int q = q0; q < q1; q++)
        {
            int j = j0 + q * nr, w = Math.Min(nr, cols - q * nr);
            T* d = dst + (long)q * nr * kc;
            if (!transB)
            {
                // A full strip of whole 512-bit vectors is copied vector by vector (a 128-byte row costs less than a call).
                bool vectors = w == nr && nr % Vector512<T>.Count == 0 && Vector512.IsHardwareAccelerated;
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (long)(p0 + p) * n + j;
                    T* row = d + p * nr;
                    if (vectors)
                        for (int jj = 0; jj < nr; jj += Vector512<T>.Count) Vector512.Store(Vector512.Load(src + jj), row + jj);
                    else
                    {
                        Buffer.MemoryCopy(src, row, (long)nr * sizeof(T), (long)w * sizeof(T));
                        for (int jj = w; jj < nr; jj++) row[jj] = T.Zero;
                    }
                }
            }
            else
            {
                int done = typeof(T) == typeof(float) && Avx.IsSupported
                    ? PackBTransposed8x8((float*)b, k, j, w, p0, kc, nr, (float*)d) : 0;
                for (int jj = done; jj < w; jj++)
                {
                    T* src = b + (long)(j + jj) * k + p0;
                    for (int p = 0; p < kc; p++) d[p * nr + jj] = src[p];
                }
                for (int jj = 0; jj < done; jj++)
                {
                    T* src = b + (long)(j + jj) * k + p0;
                    for (int p = kc & ~7; p < kc; p++) d[p * nr + jj] = src[p];
                }
                for (int p = 0; p < kc; p++)
                    for (int jj = w; jj < nr; jj++) d[p * nr + jj] = T.Zero;
            }
        }
    }

    /// <summary>
    /// The float transB packing in 8×8 blocks: B rows j+jj (jj &lt; w rounded down to 8) and K columns
    /// [p0, p0 + kc rounded down to 8) go to d[p·nr + jj] through an AVX register transpose (eight row
    /// loads, eight column stores, <see cref="Transpose8x8"/>) instead of one scalar store per element. Returns how many strip
    /// columns it filled; the caller packs the rest and the K tail (p ≥ kc rounded down to 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe int PackBTransposed8x8(float* b, int k, int j, int w, int p0, int kc, int nr, float* d)
    {
        int cols = w & ~7, depth = kc & ~7;
        for (int jj = 0; jj < cols; jj += 8)
        {
            float* src = b + (long)(j + jj) * k + p0;
            for (int p = 0; p < depth; p += 8)
                Transpose8x8(src + p, k, d + (long)p * nr + jj, nr);
        }
        return cols;
    }
}
