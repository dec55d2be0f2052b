using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine;

// The implicit conv's own A-strip height: with 32 vector registers (AVX-512), an 8 × 2·Vector512 tile keeps 16
// accumulators, issues 16 FMAs per 2 B loads and 8 broadcasts (6 × 2: 12 per 2 and 6), and covers the
// ResNet filter counts 64, 128, 256 and 512 with no empty rows (6-row strips compute 66 rows for 64 filters).
public static partial class Gemm
{
    /// <summary>Rows of the 8-row conv tile (<see cref="Kernel512Rows8{T, TRows, V}"/>), gathered or in place.</summary>
    internal const int ConvMR8 = 8;

    /// <summary>Whether the implicit conv uses 8-row tiles on the Vector512 kernel (false: 6-row tiles everywhere; for A/B runs and tests).</summary>
    internal static bool ConvEightRows = true;

    /// <summary>A-strip height of the implicit conv for a kernel: 8 on Vector512 (when <see cref="ConvEightRows"/>), else <see cref="MR"/>.</summary>
    internal static int ConvRows(GemmKernel kernel) => kernel == GemmKernel.Vector512 && ConvEightRows ? ConvMR8 : MR;

    /// <summary>
    /// One conv tile: C rows [r, r + rows) × one B strip (cols ≤ NR) (+)= A rows · b, A row-major with rows
    /// <paramref name="lda"/> apart (W read in place). A full 8 × NR tile on Vector512 runs
    /// <see cref="Kernel512Rows8{T, TRows, V}"/>, a ragged one of 7 or 8 rows <see cref="RaggedTile{T}"/>; anything else the 6-row
    /// <see cref="Micro{T}"/> (two calls for 7 or 8 rows without AVX-512).
    /// Every element is the same FMA chain over p either way, so the tile shape never changes a bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ConvTile<T>(GemmKernel kernel, int kc, T* a, int lda, T* b, int nr, T* c, int ldc, int rows, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == ConvMR8 && cols == nr && kernel == GemmKernel.Vector512)
        {
            Kernel512Rows8<T, PackedRows<T>, TwoVectors>(kc, a, lda, ConvMR8, new PackedRows<T>(b, nr), c, ldc, accumulate);
            return;
        }
        if (rows <= ConvMR8 && rows > MR && kernel == GemmKernel.Vector512 && nr == 2 * Vector512<T>.Count)
        {
            RaggedTile(kc, a, lda, b, nr, c, ldc, rows, cols, accumulate);
            return;
        }
        for (int r = 0; r < rows; r += MR)
            Micro(kernel, kc, a + (long)r * lda, lda, 1, b, nr, c + (long)r * ldc, ldc, Math.Min(MR, rows - r), cols, accumulate, T.One);
    }

    /// <summary>
    /// A ragged conv tile of 7 or 8 rows on Vector512 (a last strip: the packed strip is zero past its valid columns):
    /// the 8-row kernel into a buffer, one vector wide when the <paramref name="cols"/> fit in one, then the valid
    /// corner into C. The same FMA chains as a full tile.
    /// </summary>
    private static unsafe void RaggedTile<T>(int kc, T* a, int lda, T* b, int nr, T* c, int ldc, int rows, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* tile = stackalloc T[ConvMR8 * 2 * Vector512<T>.Count];
        if (cols <= Vector512<T>.Count) Kernel512Rows8<T, PackedRows<T>, OneVector>(kc, a, lda, rows, new PackedRows<T>(b, nr), tile, nr, false);
        else Kernel512Rows8<T, PackedRows<T>, TwoVectors>(kc, a, lda, rows, new PackedRows<T>(b, nr), tile, nr, false);
        CopyEdge(tile, nr, c, ldc, rows, cols, accumulate);
    }

    /// <summary>
    /// The 8 × V·Vector512 conv tile (V = 2, or 1 for a narrow last strip): C[r, j] (+)= Σ_p a[r·lda + p] · B_p[j] for
    /// r &lt; rows (≤ 8), j &lt; V·w (w = Vector512 lanes), B_p = <paramref name="b"/>.Row(p) (a packed strip or the image
    /// read in place), one FMA per accumulator and step. Rows past <paramref name="rows"/> read row 0 again and are not
    /// stored; with V = 1 the second vector of each row is neither read nor written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel512Rows8<T, TRows, V>(int kc, T* a, nint lda, int rows, TRows b, T* c, int ldc, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T> where TRows : struct, IConvRows<T> where V : struct, IConvWidth
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
            var b1 = V.Vectors > 1 ? Vector512.Load(row + w) : default;
            var x = Vector512.Create(a[0]); c00 = Fma512(x, b0, c00); if (V.Vectors > 1) c01 = Fma512(x, b1, c01);
            x = Vector512.Create(a[o1]); c10 = Fma512(x, b0, c10); if (V.Vectors > 1) c11 = Fma512(x, b1, c11);
            x = Vector512.Create(a[o2]); c20 = Fma512(x, b0, c20); if (V.Vectors > 1) c21 = Fma512(x, b1, c21);
            x = Vector512.Create(a[o3]); c30 = Fma512(x, b0, c30); if (V.Vectors > 1) c31 = Fma512(x, b1, c31);
            x = Vector512.Create(a[o4]); c40 = Fma512(x, b0, c40); if (V.Vectors > 1) c41 = Fma512(x, b1, c41);
            x = Vector512.Create(a[o5]); c50 = Fma512(x, b0, c50); if (V.Vectors > 1) c51 = Fma512(x, b1, c51);
            x = Vector512.Create(a[o6]); c60 = Fma512(x, b0, c60); if (V.Vectors > 1) c61 = Fma512(x, b1, c61);
            x = Vector512.Create(a[o7]); c70 = Fma512(x, b0, c70); if (V.Vectors > 1) c71 = Fma512(x, b1, c71);
            a++;
        }
        Put8<T, V>(c, c00, c01, accumulate);
        if (rows > 1) Put8<T, V>(c + ldc, c10, c11, accumulate);
        if (rows > 2) Put8<T, V>(c + 2 * ldc, c20, c21, accumulate);
        if (rows > 3) Put8<T, V>(c + 3 * ldc, c30, c31, accumulate);
        if (rows > 4) Put8<T, V>(c + 4 * ldc, c40, c41, accumulate);
        if (rows > 5) Put8<T, V>(c + 5 * ldc, c50, c51, accumulate);
        if (rows > 6) Put8<T, V>(c + 6 * ldc, c60, c61, accumulate);
        if (rows > 7) Put8<T, V>(c + 7 * ldc, c70, c71, accumulate);
    }

    /// <summary>One conv tile row: c[0, 2w) (+)= (v0, v1), or c[0, w) (+)= v0 when the tile is one vector wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put8<T, V>(T* c, Vector512<T> v0, Vector512<T> v1, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T> where V : struct, IConvWidth
    {
        if (V.Vectors > 1) { Put<T, Vector512<T>, Simd512<T>>(c, v0, v1, accumulate); return; }
        (accumulate ? v0 + Vector512.Load(c) : v0).Store(c);
    }

    /// <summary>Vectors per row of a conv tile, a constant the JIT folds into each copy of the kernel.</summary>
    private interface IConvWidth
    {
        /// <summary>1 or 2.</summary>
        static abstract int Vectors { get; }
    }

    /// <summary>Tiles two vectors wide (every full strip).</summary>
    private readonly struct TwoVectors : IConvWidth
    {
        public static int Vectors => 2;
    }

    /// <summary>Tiles one vector wide (a last strip with at most one vector of valid columns).</summary>
    private readonly struct OneVector : IConvWidth
    {
        public static int Vectors => 1;
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
