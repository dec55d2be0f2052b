using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

public static partial class Gemm
{
    /// <summary>Widest last strip of C that <see cref="RowEdge256"/> computes (a row-major float A read in place).</summary>
    internal const int RowEdgeMaxCols = 2;

    /// <summary>Row groups of 8 that <see cref="RowEdge256"/> takes through K side by side (2 FMA chains each: 8 in flight).</summary>
    private const int RowEdgeGroups = 4;

    /// <summary>About what one row of <see cref="RowEdge256"/> costs in columns of the tile kernel (x·W1: 2 columns over K = 784 as 7).</summary>
    private const int RowEdgeColumnCost = 7;

    /// <summary>
    /// Rows [Start, End) of the last narrow strip that task <paramref name="task"/> of <paramref name="tasks"/> computes with
    /// <see cref="RowEdge256"/> when C's row strips are split between the tasks: the rows are shared so that every task's tiles
    /// and edge rows cost about the same (the task with the 4-row tail of a 100-row C takes fewer edge rows), in whole groups of 8.
    /// The same rows as the task's tiles where the last strip does not go to RowEdge256.
    /// </summary>
    internal static (int Start, int End) RowEdgeShare<T>(GemmKernel kernel, bool transA, int m, int ncCur, int nr, int rowStrips, int task, int tasks)
        where T : unmanaged
    {
        int strips = (ncCur + nr - 1) / nr, fullCols = (strips - 1) * nr;
        int RowsEnd(int w) => Math.Min(m, rowStrips * (w + 1) / tasks * MR);
        if (transA || !TakesRowEdge<T>(kernel, ncCur - fullCols)) return (task == 0 ? 0 : RowsEnd(task - 1), RowsEnd(task));
        int EdgeEnd(int w)
        {
            if (w < 0) return 0;
            if (w == tasks - 1) return m;
            long total = (long)m * (fullCols + RowEdgeColumnCost);
            long rows = (total * (w + 1) / tasks - (long)RowsEnd(w) * fullCols) / RowEdgeColumnCost;
            return (int)Math.Clamp((rows + 4) / 8 * 8, 0, m);
        }
        int start = EdgeEnd(task - 1), end = Math.Max(start, EdgeEnd(task));
        return (start, end);
    }

    /// <summary>
    /// Whether the last strip of C, <paramref name="cols"/> wide, of a product that reads a row-major A in place goes to
    /// <see cref="RowEdge256"/> instead of a vector-wide tile per 6 rows: float on AVX2 + FMA, at most 2 columns.
    /// </summary>
    private static bool TakesRowEdge<T>(GemmKernel kernel, int cols) where T : unmanaged =>
        kernel == GemmKernel.Vector256 && typeof(T) == typeof(float) && Avx2.IsSupported && Fma.IsSupported && cols <= RowEdgeMaxCols;

    /// <summary>
    /// The last, narrow strip of C (cols ≤ 2, e.g. the 2 columns N = 50 leaves after three 16-wide strips) for a row-major
    /// float A read in place (element (r, p) at a[r·lda + p]): C[r, j] (+)= alpha·Σ_p A[r, p]·b[p·ldb + j] for r &lt; rows.
    /// A is turned 8×8 block by block (<see cref="Transpose8x8"/>), so that a vector holds one column of A over 8 rows,
    /// and multiplied by broadcast B values: vectors run down C's columns, up to 4 groups of 8 rows side by side (rows past
    /// the last repeat it and are dropped; a column past cols repeats column 0 and is dropped). Each element is one FMA
    /// chain over p = 0..kc−1 in order, scaled by alpha at the end, as in the tile kernels: the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void RowEdge256(int kc, float* a, nint lda, float* b, nint ldb, float* c, int ldc, int rows, int cols, bool accumulate, float alpha)
    {
        nint j1 = cols > 1 ? 1 : 0;
        float* t = stackalloc float[RowEdgeGroups * 64]; // group g's block: t[g·64 + q·8 + l] = A[r0 + 8g + l, p + q]
        float* edge = stackalloc float[64];              // a last group's rows (past the last repeated) before it is turned
        float* sums = stackalloc float[RowEdgeGroups * 2 * 8];
        for (int r0 = 0; r0 < rows; r0 += 8 * RowEdgeGroups)
        {
            int groups = Math.Min(RowEdgeGroups, (rows - r0 + 7) / 8);
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
            int p = 0;
            for (; p + 8 <= kc; p += 8)
            {
                for (int g = 0; g < groups; g++) TurnBlock(a, lda, r0 + 8 * g, rows, p, edge, t + 64 * g);
                for (int q = 0; q < 8; q++)
                {
                    float* bq = b + (p + q) * ldb;
                    var b0 = Vector256.Create(bq[0]);
                    var b1 = Vector256.Create(bq[j1]);
                    var x = Avx.LoadVector256(t + 8 * q); s00 = Fma.MultiplyAdd(x, b0, s00); s01 = Fma.MultiplyAdd(x, b1, s01);
                    if (groups > 1) { x = Avx.LoadVector256(t + 64 + 8 * q); s10 = Fma.MultiplyAdd(x, b0, s10); s11 = Fma.MultiplyAdd(x, b1, s11); }
                    if (groups > 2) { x = Avx.LoadVector256(t + 128 + 8 * q); s20 = Fma.MultiplyAdd(x, b0, s20); s21 = Fma.MultiplyAdd(x, b1, s21); }
                    if (groups > 3) { x = Avx.LoadVector256(t + 192 + 8 * q); s30 = Fma.MultiplyAdd(x, b0, s30); s31 = Fma.MultiplyAdd(x, b1, s31); }
                }
            }
            for (; p < kc; p++)
            {
                // The last kc mod 8 steps: A's column p over each group's rows, gathered element by element.
                var b0 = Vector256.Create(b[p * ldb]);
                var b1 = Vector256.Create(b[p * ldb + j1]);
                var x = Column8(a, lda, r0, rows, p); s00 = Fma.MultiplyAdd(x, b0, s00); s01 = Fma.MultiplyAdd(x, b1, s01);
                if (groups > 1) { x = Column8(a, lda, r0 + 8, rows, p); s10 = Fma.MultiplyAdd(x, b0, s10); s11 = Fma.MultiplyAdd(x, b1, s11); }
                if (groups > 2) { x = Column8(a, lda, r0 + 16, rows, p); s20 = Fma.MultiplyAdd(x, b0, s20); s21 = Fma.MultiplyAdd(x, b1, s21); }
                if (groups > 3) { x = Column8(a, lda, r0 + 24, rows, p); s30 = Fma.MultiplyAdd(x, b0, s30); s31 = Fma.MultiplyAdd(x, b1, s31); }
            }
            // sums[g·16 + j·8 + l] = C value for row r0 + 8g + l, column j.
            (s00 * alpha).Store(sums); (s01 * alpha).Store(sums + 8);
            (s10 * alpha).Store(sums + 16); (s11 * alpha).Store(sums + 24);
            (s20 * alpha).Store(sums + 32); (s21 * alpha).Store(sums + 40);
            (s30 * alpha).Store(sums + 48); (s31 * alpha).Store(sums + 56);
            for (int r = r0; r < Math.Min(rows, r0 + 8 * groups); r++)
                for (int j = 0; j < cols; j++)
                {
                    float v = sums[(r - r0) / 8 * 16 + j * 8 + (r - r0) % 8];
                    float* cij = c + (long)r * ldc + j;
                    *cij = accumulate ? *cij + v : v;
                }
        }
    }

    /// <summary>
    /// o[q·8 + l] = A[row0 + l, p + q] for q, l &lt; 8, rows at or past <paramref name="rows"/> repeating the last one: the 8×8
    /// block turned by <see cref="Transpose8x8"/>, straight from A when all 8 rows exist, else through <paramref name="edge"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TurnBlock(float* a, nint lda, int row0, int rows, int p, float* edge, float* o)
    {
        if (row0 + 8 <= rows)
        {
            Transpose8x8(a + row0 * lda + p, lda, o, 8);
            return;
        }
        for (int l = 0; l < 8; l++) Avx.Store(edge + 8 * l, Avx.LoadVector256(a + Math.Min(row0 + l, rows - 1) * lda + p));
        Transpose8x8(edge, 8, o, 8);
    }

    /// <summary>A[row0 + l, p] for l &lt; 8, rows at or past <paramref name="rows"/> repeating the last one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Column8(float* a, nint lda, int row0, int rows, int p)
    {
        float At(int l) => a[Math.Min(row0 + l, rows - 1) * lda + p];
        return Vector256.Create(At(0), At(1), At(2), At(3), At(4), At(5), At(6), At(7));
    }
}
