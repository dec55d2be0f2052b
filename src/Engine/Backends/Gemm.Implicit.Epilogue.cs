using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// The in-place conv's store into y (float, AVX-512): a tile's 32 columns are positions P0 .. P0 + 31 counted on the
// padded width Wp, P = oh·Wp + ow, and column t of output row oh (ow < OW) belongs at y index P − oh·(Wp − OW). So
// the valid columns of a tile fall into segments (one per output row they meet: at most 32/Wp + 2), each a run of
// lanes stored under a mask at one shifted address; the dropped columns (ow ≥ OW) and positions past the last row
// are never written. Each row's sums get, in this order, C's earlier K slices, the bias, the residual and
// max(0, ·): the additions of the output pass (CpuBackend.Conv.Implicit.Output.cs), so the bits are the same.
public static partial class Gemm
{
    /// <summary>Lanes [T0, T1) of a tile row go to y index At + t (At relative to the row's plane).</summary>
    internal readonly record struct ConvSegment(long At, int T0, int T1);

    /// <summary>
    /// The segments of in-place tile q for geometry g (g.W the padded or phase width, positions counted on it):
    /// output rows oh meeting positions [q·32, q·32 + 32) ∩ [0, OH·W), each the part with ow &lt; OW. Returns their count.
    /// </summary>
    internal static unsafe int InPlaceSegments(in ImageWindows g, int q, ConvSegment* segments)
    {
        int p0 = q * InPlaceNR, p1 = Math.Min(g.OH * g.W, p0 + InPlaceNR), count = 0;
        for (int oh = p0 / g.W; oh * g.W < p1; oh++)
        {
            int a0 = Math.Max(p0, oh * g.W), a1 = Math.Min(p1, oh * g.W + g.OW);
            if (a1 > a0) segments[count++] = new ConvSegment(p0 - (long)oh * (g.W - g.OW), a0 - p0, a1 - p0);
        }
        return count;
    }

    /// <summary>
    /// The epilogue writing in-place tiles into y: tile row r is filter plane r of <paramref name="y"/> (planes
    /// <paramref name="plane"/> apart), bias[r] added (bias null: none), then residual at y's offsets (null: none), then
    /// max(0, ·) when <paramref name="relu"/> (0 where the sum is ≤ 0, NaN stays NaN, as the Relu op).
    /// </summary>
    internal readonly unsafe struct ConvStore(float* y, long plane, float* bias, float* residual, bool relu, ConvSegment* segments, int count)
        : IEpilogue<Vector512<float>, float>
    {
        public static bool Active => true;

        /// <summary>Whether the store adds a residual.</summary>
        public bool HasResidual => residual is not null;

        /// <summary>This store for the tile whose row 0 is filter <paramref name="r"/>, its columns split by <paramref name="at"/>.</summary>
        public ConvStore At(int r, ConvSegment* at, int segmentCount) =>
            new(y + r * plane, plane, bias is null ? null : bias + r, residual is null ? null : residual + r * plane, relu, at, segmentCount);

        /// <summary>
        /// Asks for the residual's cache lines of filters [r, r + rows) at <paramref name="at"/>'s segments (the next strip's),
        /// so that their loads in <see cref="Row"/> find them: the residual's planes are too many streams for the hardware
        /// prefetcher. Only for a store with a residual.
        /// </summary>
        public void PrefetchResidual(int r, int rows, ConvSegment* at, int segmentCount)
        {
            for (int i = 0; i < rows; i++)
                for (int s = 0; s < segmentCount; s++)
                {
                    float* p = residual + (r + i) * plane + at[s].At;
                    Sse.Prefetch0(p + at[s].T0);
                    Sse.Prefetch0(p + (at[s].T0 + at[s].T1) / 2);
                    Sse.Prefetch0(p + at[s].T1 - 1);
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(float* c, int r, Vector512<float> v0, Vector512<float> v1, bool accumulate)
        {
            if (accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + 16); }
            if (bias is not null) { var b = Vector512.Create(bias[r]); v0 += b; v1 += b; }
            long row = r * plane;
            for (int s = 0; s < count; s++)
            {
                var seg = segments[s];
                long at = row + seg.At;
                if (seg.T0 < 16) Put(at, v0, Lanes(seg.T0, seg.T1));
                if (seg.T1 > 16) Put(at + 16, v1, Lanes(seg.T0 - 16, seg.T1 - 16));
            }
        }

        /// <summary>y[at + i] = relu?(v[i] + residual[at + i]) for the lanes i set in mask; nothing else is read or written.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Put(long at, Vector512<float> v, Vector512<float> mask)
        {
            if (residual is not null) v += Avx512F.MaskLoad(residual + at, mask, Vector512<float>.Zero);
            if (relu) v = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, v);
            Avx512F.MaskStore(y + at, mask, v);
        }

        /// <summary>All bits set in lanes [lo, hi) of 16, clear elsewhere.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Lanes(int lo, int hi) =>
            (Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(lo)) & Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(hi))).AsSingle();
    }
}
