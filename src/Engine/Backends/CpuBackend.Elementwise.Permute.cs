using System.Runtime.Intrinsics.X86;

namespace Engine;

// Permute (any axis order, any dtype): an order that only moves size-1 axes (NHWC → NCHW of a
// one-channel image) is a plain copy; a batched matrix transpose, the common case (NHWC ↔ NCHW, Wᵀ),
// runs blocked in 32×32 tiles on the worker pool; any other order walks y in order with an odometer
// over x's strides.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Permute(Tensor x, int[] perm, Tensor y)
    {
        int rank = perm.Length;
        int[] xs = x.ShapeRef, ysh = y.ShapeRef;
        var xStride = new long[rank];
        long st = 1;
        for (int d = rank - 1; d >= 0; d--) { xStride[d] = st; st *= xs[d]; }
        var src = ((CpuStorage)x.Storage).Data;
        var dst = ((CpuStorage)y.Storage).Data;
        if (KeepsOrder(xs, perm))
        {
            Array.Copy(src, dst, x.Size);
            return;
        }
        if (AsBatchedTranspose(xs, perm) is var (batch, rows, cols))
        {
            switch (src)
            {
                case float[] f: TransposeT(f, (float[])dst, batch, rows, cols); break;
                case double[] d: TransposeT(d, (double[])dst, batch, rows, cols); break;
                case int[] i: TransposeT(i, (int[])dst, batch, rows, cols); break;
                default: TransposeT((long[])src, (long[])dst, batch, rows, cols); break;
            }
            return;
        }
        // y index (i0..ir) reads x at Σ i_d · xStride[perm[d]].
        var step = perm.Select(p => xStride[p]).ToArray();
        switch (src)
        {
            case float[] f: PermuteT(f, (float[])dst, ysh, step); break;
            case double[] d: PermuteT(d, (double[])dst, ysh, step); break;
            case int[] i: PermuteT(i, (int[])dst, ysh, step); break;
            default: PermuteT((long[])src, (long[])dst, ysh, step); break;
        }
    }

    /// <summary>True when <paramref name="perm"/> keeps the axes longer than 1 in their order: y holds x's elements in x's order.</summary>
    internal static bool KeepsOrder(int[] xShape, int[] perm)
    {
        int last = -1;
        foreach (int p in perm)
        {
            if (xShape[p] == 1) continue;
            if (p < last) return false;
            last = p;
        }
        return true;
    }

    /// <summary>
    /// Recognises a permutation that is a batched matrix transpose once size-1 axes are dropped and axes
    /// that stay neighbours in the same order are merged: x viewed as [batch, rows, cols] and y as
    /// [batch, cols, rows] (batch 1 for a plain transpose). E.g. NHWC → NCHW, [N, H, W, C] with perm
    /// [0, 3, 1, 2], is batch N, rows H·W, cols C. Null for any other permutation (or the identity).
    /// </summary>
    internal static (int Batch, int Rows, int Cols)? AsBatchedTranspose(int[] xShape, int[] perm)
    {
        // Position of each kept (size > 1) x axis among the kept ones, in x order.
        var xpos = new int[xShape.Length];
        int kept = 0;
        for (int a = 0; a < xShape.Length; a++) xpos[a] = xShape[a] == 1 ? -1 : kept++;
        // Walk y's axes; a run whose x positions go up by one is one merged axis (start position, size).
        var groups = new List<(int Start, long Size)>();
        int last = -2;
        foreach (int p in perm)
        {
            if (xpos[p] < 0) continue;
            if (xpos[p] == last + 1) groups[^1] = (groups[^1].Start, groups[^1].Size * xShape[p]);
            else groups.Add((xpos[p], xShape[p]));
            last = xpos[p];
        }
        // The groups, in y order, as x-order ranks: [1, 0] is a transpose, [0, 2, 1] a batched one.
        var order = groups.Select(g => g.Start).Order().ToList();
        var rank = groups.Select(g => order.IndexOf(g.Start)).ToArray();
        if (rank is [1, 0]) return (1, (int)groups[1].Size, (int)groups[0].Size);
        if (rank is [0, 2, 1]) return ((int)groups[0].Size, (int)groups[2].Size, (int)groups[1].Size);
        return null;
    }

    /// <summary>Tile edge of the blocked transpose: a 32×32 tile of doubles (8 KiB each side) stays in L1.</summary>
    private const int TransposeTile = 32;

    /// <summary>
    /// y[b, c, r] = x[b, r, c] for x [batch, rows, cols] (y [batch, cols, rows]). Blocked into 32×32 tiles
    /// so both the reads and the strided writes stay in cache; parallel over (batch, tile row) pairs,
    /// each of which owns its columns of y. Float tiles go 8×8 block by block through AVX register transposes.
    /// </summary>
    private static unsafe void TransposeT<T>(T[] src, T[] dst, int batch, int rows, int cols) where T : unmanaged
    {
        int rowTiles = (rows + TransposeTile - 1) / TransposeTile;
        long matrix = (long)rows * cols;
        For((long)batch * rowTiles, (s, e) =>
        {
            for (int item = s; item < e; item++)
            {
                int b = item / rowTiles, r0 = item % rowTiles * TransposeTile, r1 = Math.Min(rows, r0 + TransposeTile);
                var x = src.AsSpan((int)(b * matrix), (int)matrix);
                var y = dst.AsSpan((int)(b * matrix), (int)matrix);
                for (int c0 = 0; c0 < cols; c0 += TransposeTile)
                {
                    int c1 = Math.Min(cols, c0 + TransposeTile);
                    if (typeof(T) == typeof(float) && Avx.IsSupported)
                    {
                        fixed (T* px = x, py = y) TransposeTileAvx((float*)px, (float*)py, rows, cols, r0, r1, c0, c1);
                        continue;
                    }
                    for (int r = r0; r < r1; r++)
                    {
                        var xr = x.Slice(r * cols, cols);
                        for (int c = c0; c < c1; c++) y[c * rows + r] = xr[c];
                    }
                }
            }
        }, grain: Grain((long)TransposeTile * cols));
    }

    /// <summary>
    /// y[c·rows + r] = x[r·cols + c] for rows [r0, r1) and columns [c0, c1) of one float matrix: whole 8×8
    /// blocks through <see cref="Gemm.Transpose8x8"/>, the ragged edges element by element.
    /// </summary>
    private static unsafe void TransposeTileAvx(float* x, float* y, int rows, int cols, int r0, int r1, int c0, int c1)
    {
        int rEnd = r0 + (r1 - r0) / 8 * 8, cEnd = c0 + (c1 - c0) / 8 * 8;
        for (int r = r0; r < rEnd; r += 8)
            for (int c = c0; c < cEnd; c += 8)
                Gemm.Transpose8x8(x + (long)r * cols + c, cols, y + (long)c * rows + r, rows);
        for (int r = r0; r < r1; r++)
            for (int c = r < rEnd ? cEnd : c0; c < c1; c++)
                y[(long)c * rows + r] = x[(long)r * cols + c];
    }

    private static void PermuteT<T>(T[] src, T[] dst, int[] shape, long[] step)
    {
        int rank = shape.Length;
        var idx = new int[rank];
        long off = 0;
        for (long n = 0; n < dst.LongLength; n++)
        {
            dst[n] = src[off];
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                off += step[d];
                if (idx[d] < shape[d]) break;
                off -= step[d] * idx[d];
                idx[d] = 0;
            }
        }
    }
}
