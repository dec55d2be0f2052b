using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Implicit-GEMM convolution: for one image, C [F, OH·OW] = W [F, K] · colsᵀ [K, OH·OW] with K = C·KH·KW,
// where colsᵀ[(c·KH + i)·KW + j, oh·OW + ow] = x[c, oh·s − p + i, ow·s − p + j] (0 on the padding) is never
// written out: each packed B strip (kc rows × NR consecutive output positions) is gathered straight from the
// image. C comes out in NCHW order (row f is output channel f's plane). The K slices, strips and microkernels
// are the ones of the plain GEMM, so every output is the same FMA chain over k whatever the split of the work.
public static partial class Gemm
{
    /// <summary>Whether the implicit conv's gathering may copy a run's short last part as a whole vector (false: one by one; for A/B runs and tests).</summary>
    internal static bool GatherWholeVectors = true;

    /// <summary>Depth of one K slice for a product of depth k: K cut into ⌈K / KC⌉ equal slices (as <see cref="Packed{T}"/> does).</summary>
    internal static int SliceDepth(int k)
    {
        int slices = Math.Max(1, (k + KC - 1) / KC);
        return Math.Max(1, (k + slices - 1) / slices);
    }

    /// <summary>B strip width (elements) of a kernel: two vectors.</summary>
    internal static int StripWidth<T>(GemmKernel kernel) where T : unmanaged => 2 * Width<T>(kernel);

    /// <summary>The microkernel of an implicit conv C [f, positions] with depth k: <see cref="KernelFor{T}"/>, never the plain loop.</summary>
    internal static GemmKernel ConvKernel<T>(int f, int positions, int k) where T : unmanaged
    {
        var kernel = KernelFor<T>(f, positions, k);
        return kernel == GemmKernel.Reference ? Best : kernel;
    }

    /// <summary>
    /// Packs B strips [q0, q1) of colsᵀ for images x [.., C, H, W] with no padding (the caller pads x first, so
    /// every window lies inside), K slice [pc, pc + kc): strip q covers positions q·nr .. q·nr + nr − 1 of the
    /// <paramref name="positions"/> (position = (n·OH + oh)·OW + ow: one image, or several that strips run on
    /// through) and goes to dst + (q − q0)·nr·kc with dst[p·nr + j] = x[n, c, oh·s + i, ow·s + jw] for
    /// k = pc + p = (c·KH + i)·KW + jw, 0 past the last position. A strip is cut into runs of positions on one
    /// output row; along a run the input columns step by the stride (stride 1: one vector copy per run and k;
    /// stride 2: the even lanes of twice as many). A run's last part shorter than a vector (7×7 and 14×14 images)
    /// is copied as one whole vector where <paramref name="readable"/> (elements readable from x) and the end of dst
    /// allow: the lanes past the run land where a later run, the row's cleared tail, or the next row or strip is
    /// written afterwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    internal static unsafe void PackWindows<T>(T* x, in ImageWindows g, int positions, int pc, int kc, int nr, int q0, int q1, T* dst, long readable)
        where T : unmanaged, INumberBase<T>
    {
        T* xEnd = x + readable, dstEnd = dst + (long)(q1 - q0) * nr * kc;
        if (g.Pad != 0) throw new ArgumentException($"Gemm.PackWindows: expected an unpadded image (pad it first), got pad {g.Pad}.");
        int perImage = g.OH * g.OW, plane = g.H * g.W, s = g.Stride, w = g.W, kw = g.KW, kh = g.KH;
        long image = (long)g.C * plane;
        int maxRuns = nr / Math.Max(1, g.OW) + 2;
        int* runJ = stackalloc int[maxRuns], runLen = stackalloc int[maxRuns], runW = stackalloc int[maxRuns];
        long* runAt = stackalloc long[maxRuns];
        for (int q = q0; q < q1; q++)
        {
            // Runs: strip columns [runJ, runJ + runLen) are output row oh of image n from column ow; runAt is where
            // the first one's window starts in x (image n, row oh·s, column runW = ow·s).
            int runs = 0, first = q * nr, end = Math.Min(positions, first + nr);
            for (int pos = first; pos < end; runs++)
            {
                int n = pos / perImage, at = pos % perImage, oh = at / g.OW, ow = at % g.OW, len = Math.Min(end - pos, g.OW - ow);
                runJ[runs] = pos - first; runLen[runs] = len; runW[runs] = ow * s;
                runAt[runs] = n * image + (long)oh * s * w + ow * s;
                pos += len;
            }
            int valid = end - first;
            T* d = dst + (long)(q - q0) * nr * kc;
            int c = pc / (kh * kw), i = pc % (kh * kw) / kw, jw = pc % kw;
            for (int p = 0; p < kc; p++)
            {
                T* row = d + (long)p * nr;
                T* src = x + (long)c * plane + (long)i * w + jw; // window element (i, jw) of channel c
                for (int r = 0; r < runs; r++)
                {
                    T* from = src + runAt[r];
                    if (s == 1) CopyRun(from, row + runJ[r], runLen[r], xEnd, dstEnd);
                    else if (s == 2 && typeof(T) == typeof(float) && Avx2.IsSupported)
                        CopyEvens((float*)from, (float*)(row + runJ[r]), runLen[r], readable > 0 ? xEnd - from : w - runW[r] - jw,
                            readable > 0 ? (float*)dstEnd : null);
                    else for (int t = 0; t < runLen[r]; t++) row[runJ[r] + t] = from[(long)t * s];
                }
                Clear(row, valid, nr);
                if (++jw == kw) { jw = 0; if (++i == kh) { i = 0; c++; } }
            }
        }
    }

    /// <summary>
    /// to[t] = from[t] for t &lt; count, a vector at a time (runs are at most one strip, 32 floats: a call to a block
    /// copy would cost more); a last part shorter than a vector is one more whole vector when from + t + w ≤ fromEnd
    /// and to + t + w ≤ toEnd (the lanes past count are overwritten later, see <see cref="PackWindows{T}"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyRun<T>(T* from, T* to, int count, T* fromEnd, T* toEnd) where T : unmanaged, INumberBase<T>
    {
        int t = 0, w = Vector256<T>.Count;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; t + w <= count; t += w) Vector256.Store(Vector256.Load(from + t), to + t);
            if (t < count && from + t + w <= fromEnd && to + t + w <= toEnd) { Vector256.Store(Vector256.Load(from + t), to + t); return; }
        }
        for (; t < count; t++) to[t] = from[t];
    }

    /// <summary>
    /// to[t] = from[2t] for t in [0, t1) (a stride-2 run), eight at a time: two 8-float loads, the even lanes
    /// picked by a shuffle and a 64-bit lane permute. A vector step reads from[2t .. 2t + 15], so it runs only
    /// while that stays below <paramref name="limit"/> (the floats readable from <paramref name="from"/>); a last
    /// part shorter than 8 is one more step when the reads stay below the limit and to + t + 8 ≤
    /// <paramref name="toEnd"/> (null: never; the lanes past t1 are overwritten later), else goes one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void CopyEvens(float* from, float* to, int t1, long limit, float* toEnd = null)
    {
        int t = 0;
        for (; 2L * t + 16 <= limit && (t + 8 <= t1 || (t < t1 && to + t + 8 <= toEnd)); t += 8)
        {
            var a = Avx.LoadVector256(from + 2 * t);
            var b = Avx.LoadVector256(from + 2 * t + 8);
            var evens = Avx.Shuffle(a, b, 0b10_00_10_00); // a0 a2 b0 b2 | a4 a6 b4 b6
            Avx.Store(to + t, Avx2.Permute4x64(evens.AsDouble(), 0b11_01_10_00).AsSingle()); // a0 a2 a4 a6 b0 b2 b4 b6
        }
        for (; t < t1; t++) to[t] = from[2 * t];
    }

    /// <summary>o[t] = 0 for t in [from, to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Clear<T>(T* o, int from, int to) where T : unmanaged, INumberBase<T>
    {
        int t = from;
        if (Vector256.IsHardwareAccelerated)
            for (; t + Vector256<T>.Count <= to; t += Vector256<T>.Count) Vector256.Store(Vector256<T>.Zero, o + t);
        for (; t < to; t++) o[t] = T.Zero;
    }

    /// <summary>
    /// C rows [f0, f1) (a multiple of ConvRows(kernel) from f0) × B strips [q0, q1) of the implicit conv over
    /// <paramref name="positions"/> output positions (<see cref="PackWindows{T}"/>), C [F, positions] overwritten, W [F, K]
    /// read in place (an A strip is ConvRows(kernel) rows K apart; W is not packed first, which docs/ch22.md times at the
    /// ResNet-18 shapes). <paramref name="bBuf"/> holds (q1 − q0)·nr·SliceDepth(k) elements
    /// to gather each slice's strips into, or, when <paramref name="packed"/>, all K rows of them gathered beforehand.
    /// Loop order per K slice: pack the task's B strips (kept in L2), then each A strip (in L1) meets them all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    internal static unsafe void ConvTiles<T>(GemmKernel kernel, T* w, int f, int k, int f0, int f1, T* x, in ImageWindows g,
        int positions, int q0, int q1, T* bBuf, T* y, bool packed, long readable) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = StripWidth<T>(kernel), kcStep = SliceDepth(k), mr = ConvRows(kernel);
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            // packed: bBuf already holds every slice's strips, slice pc at + pc·(q1 − q0)·nr (the shared packing of ImplicitForwardUnpadded).
            T* b = packed ? bBuf + (long)pc * (q1 - q0) * nr : bBuf;
            if (!packed) PackWindows(x, g, positions, pc, kc, nr, q0, q1, bBuf, readable);
            for (int r = f0; r < f1; r += mr)
            {
                // A strip: rows r..r+mr−1 of W from column pc, element (row, p) at a[row·K + p].
                T* a = w + (long)r * k + pc;
                int rows = Math.Min(mr, f1 - r);
                for (int q = q0; q < q1; q++)
                    ConvTile(kernel, kc, a, k, b + (long)(q - q0) * nr * kc, nr, y + (long)r * positions + q * nr, positions,
                        rows, Math.Min(nr, positions - q * nr), pc > 0);
            }
        }
    }
}
