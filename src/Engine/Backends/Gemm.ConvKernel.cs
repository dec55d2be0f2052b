using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine;

// The implicit conv's own A-strip height: with 32 vector registers (AVX-512), an 8 × 2·Vector512 tile keeps 16
// accumulators, issues 16 FMAs per 2 B loads and 8 broadcasts (6 × 2: 12 per 2 and 6), and covers the
// ResNet filter counts 64, 128, 256 and 512 with no empty rows (6-row strips compute 66 rows for 64 filters).
// The tile is the GEMM's microkernel (Gemm.Kernels.cs) with 8 rows and a B-row source: a packed strip or the image
// read in place.
public static partial class Gemm
{
    /// <summary>Rows of the 8-row conv tile (<see cref="Rows8"/>), gathered or in place.</summary>
    internal const int ConvMR8 = 8;

    /// <summary>Whether the implicit conv uses 8-row tiles on the Vector512 kernel (false: 6-row tiles everywhere; for A/B runs and tests).</summary>
    internal static bool ConvEightRows = true;

    /// <summary>A-strip height of the implicit conv for a kernel: 8 on Vector512 (when <see cref="ConvEightRows"/>), else <see cref="MR"/>.</summary>
    internal static int ConvRows(GemmKernel kernel) => kernel == GemmKernel.Vector512 && ConvEightRows ? ConvMR8 : MR;

    /// <summary>
    /// One conv tile: C rows [r, r + rows) × one B strip (cols ≤ NR) (+)= A rows · b, A row-major with rows
    /// <paramref name="lda"/> apart (W read in place). A tile of 7 or 8 rows on Vector512 runs the 8-row microkernel
    /// (<see cref="Kernel{T, TV, V, R, TB, TE}"/> with <see cref="Rows8"/>; a ragged one through its edge buffer), a strip
    /// of at most two Vector256 of columns 4-row Vector256 tiles; anything else the 6-row <see cref="Micro{T}"/> (two
    /// calls for 7 or 8 rows). Every element is the same FMA chain over p either way, so the tile shape never changes a bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ConvTile<T>(GemmKernel kernel, int kc, T* a, int lda, T* b, int nr, T* c, int ldc, int rows, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (kernel == GemmKernel.Vector512 && cols <= 2 * Vector256<T>.Count && Vector256.IsHardwareAccelerated)
        {
            // A narrow last strip (the batched 7×7 convs end in 8 columns): Vector256 tiles of 4 rows read the packed
            // strip's first columns, with half the FMAs of a full tile or fewer (one vector per row for 8 columns or fewer).
            for (int r = 0; r < rows; r += 4)
                Micro(GemmKernel.Vector256, kc, a + (long)r * lda, lda, 1, b, nr, c + (long)r * ldc, ldc, Math.Min(4, rows - r), cols, accumulate, T.One);
            return;
        }
        if (rows > MR && kernel == GemmKernel.Vector512 && nr == 2 * Vector512<T>.Count)
        {
            Kernel<T, Vector512<T>, Simd512<T>, Rows8, PackedRows<T>, NoEpilogue<Vector512<T>, T>>(kc, a, lda, 1, new PackedRows<T>(b, nr), c, ldc, rows, cols, accumulate, T.One, false, default);
            return;
        }
        for (int r = 0; r < rows; r += MR)
            Micro(kernel, kc, a + (long)r * lda, lda, 1, b, nr, c + (long)r * ldc, ldc, Math.Min(MR, rows - r), cols, accumulate, T.One);
    }

    /// <summary>The B rows of a microkernel tile: where row p of its kc × 2w block starts.</summary>
    private unsafe interface IBRows<T> where T : unmanaged
    {
        /// <summary>Start of B row p (2w readable elements).</summary>
        T* Row(int p);
    }

    /// <summary>A packed B strip: row p at b + p·step.</summary>
    private readonly unsafe struct PackedRows<T>(T* b, nint step) : IBRows<T> where T : unmanaged
    {
        public T* Row(int p) => b + p * step;
    }

    /// <summary>Windows read in place: row p at x + off[p] (off from <see cref="WindowOffsets"/>).</summary>
    private readonly unsafe struct WindowRows(float* x, long* off) : IBRows<float>
    {
        public float* Row(int p) => x + off[p];
    }
}
