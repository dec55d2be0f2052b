using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine;

// The implicit conv's own A-strip height: with 32 vector registers (AVX-512), an 8 × 2·Vector512 tile keeps 16
// accumulators, issues 16 FMAs per 2 B loads and 8 broadcasts (6 × 2: 12 per 2 and 6), and covers the
// ResNet filter counts 64, 128, 256 and 512 with no empty rows (6-row strips compute 66 rows for 64 filters).
public static partial class Gemm
{
    /// <summary>Rows of the 8-row conv tile (<see cref="Kernel512Rows8{T, TRows}"/>), gathered or in place.</summary>
    internal const int ConvMR8 = 8;

    /// <summary>Whether the implicit conv uses 8-row tiles on the Vector512 kernel (false: 6-row tiles everywhere; for A/B runs and tests).</summary>
    internal static bool ConvEightRows = true;

    /// <summary>A-strip height of the implicit conv for a kernel: 8 on Vector512 (when <see cref="ConvEightRows"/>), else <see cref="MR"/>.</summary>
    internal static int ConvRows(GemmKernel kernel) => kernel == GemmKernel.Vector512 && ConvEightRows ? ConvMR8 : MR;

    /// <summary>
    /// One conv tile: C rows [r, r + rows) × one B strip (cols ≤ NR) (+)= A rows · b, A row-major with rows
    /// <paramref name="lda"/> apart (W read in place). A full 8 × NR tile on Vector512 runs
    /// <see cref="Kernel512Rows8{T, TRows}"/>; anything else the 6-row <see cref="Micro{T}"/> (two calls for 7 or 8 rows).
    /// Every element is the same FMA chain over p either way, so the tile shape never changes a bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ConvTile<T>(GemmKernel kernel, int kc, T* a, int lda, T* b, int nr, T* c, int ldc, int rows, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == ConvMR8 && cols == nr && kernel == GemmKernel.Vector512)
        {
            Kernel512Rows8(kc, a, lda, ConvMR8, new PackedRows<T>(b, nr), c, ldc, accumulate);
            return;
        }
        for (int r = 0; r < rows; r += MR)
            Micro(kernel, kc, a + (long)r * lda, lda, 1, b, nr, c + (long)r * ldc, ldc, Math.Min(MR, rows - r), cols, accumulate, T.One);
    }

    /// <summary>
    /// The 8 × 2·Vector512 conv tile: C[r, j] (+)= Σ_p a[r·lda + p] · B_p[j] for r &lt; rows (≤ 8), j &lt; 2w
    /// (w = Vector512 lanes), B_p = <paramref name="b"/>.Row(p) (a packed strip or the image read in place), one FMA
    /// per accumulator and step. Rows past <paramref name="rows"/> read row 0 again and are not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel512Rows8<T, TRows>(int kc, T* a, nint lda, int rows, TRows b, T* c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConvRows<T>
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint o1 = rows > 1 ? lda : 0, o2 = rows > 2 ? 2 * lda : 0, o3 = rows > 3 ? 3 * lda : 0, o4 = rows > 4 ? 4 * lda : 0;
        nint o5 = rows > 5 ? 5 * lda : 0, o6 = rows > 6 ? 6 * lda : 0, o7 = rows > 7 ? 7 * lda : 0;
        for (int p = 0; p < kc; p++)
        {
            T* row = b.Row(p);
            var b0 = Vector512.Load(row);
            var b1 = Vector512.Load(row + w);
            var x = Vector512.Create(a[0]); c00 = Fma512(x, b0, c00); c01 = Fma512(x, b1, c01);
            x = Vector512.Create(a[o1]); c10 = Fma512(x, b0, c10); c11 = Fma512(x, b1, c11);
            x = Vector512.Create(a[o2]); c20 = Fma512(x, b0, c20); c21 = Fma512(x, b1, c21);
            x = Vector512.Create(a[o3]); c30 = Fma512(x, b0, c30); c31 = Fma512(x, b1, c31);
            x = Vector512.Create(a[o4]); c40 = Fma512(x, b0, c40); c41 = Fma512(x, b1, c41);
            x = Vector512.Create(a[o5]); c50 = Fma512(x, b0, c50); c51 = Fma512(x, b1, c51);
            x = Vector512.Create(a[o6]); c60 = Fma512(x, b0, c60); c61 = Fma512(x, b1, c61);
            x = Vector512.Create(a[o7]); c70 = Fma512(x, b0, c70); c71 = Fma512(x, b1, c71);
            a++;
        }
        Put<T, Vector512<T>, Simd512<T>>(c, c00, c01, accumulate);
        if (rows > 1) Put<T, Vector512<T>, Simd512<T>>(c + ldc, c10, c11, accumulate);
        if (rows > 2) Put<T, Vector512<T>, Simd512<T>>(c + 2 * ldc, c20, c21, accumulate);
        if (rows > 3) Put<T, Vector512<T>, Simd512<T>>(c + 3 * ldc, c30, c31, accumulate);
        if (rows > 4) Put<T, Vector512<T>, Simd512<T>>(c + 4 * ldc, c40, c41, accumulate);
        if (rows > 5) Put<T, Vector512<T>, Simd512<T>>(c + 5 * ldc, c50, c51, accumulate);
        if (rows > 6) Put<T, Vector512<T>, Simd512<T>>(c + 6 * ldc, c60, c61, accumulate);
        if (rows > 7) Put<T, Vector512<T>, Simd512<T>>(c + 7 * ldc, c70, c71, accumulate);
    }

    /// <summary>The B rows of a conv tile: where row p of its kc × 2w block starts.</summary>
    private unsafe interface IConvRows<T> where T : unmanaged
    {
        /// <summary>Start of B row p (2w readable elements).</summary>
        T* Row(int p);
    }

    /// <summary>A packed B strip: row p at b + p·step.</summary>
    private readonly unsafe struct PackedRows<T>(T* b, int step) : IConvRows<T> where T : unmanaged
    {
        public T* Row(int p) => b + (nint)p * step;
    }

    /// <summary>Windows read in place: row p at x + off[p] (off from <see cref="WindowOffsets"/>).</summary>
    private readonly unsafe struct WindowRows(float* x, long* off) : IConvRows<float>
    {
        public float* Row(int p) => x + off[p];
    }
}
