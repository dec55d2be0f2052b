using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <summary>
    /// 2×2, stride-2 max pooling of one float plane (y, argmax as in <see cref="MaxPoolT{T}"/>), 8 outputs per
    /// step with AVX2: 16 floats of each of the window's two input rows are split into even and odd columns,
    /// giving the top-left, top-right, bottom-left and bottom-right values of 8 neighbouring windows, which
    /// are compared in that (window) order with <see cref="Beats{T}"/> and blends — the scalar loop's rule, so the
    /// first maximum wins and a NaN beats any number (PyTorch's max pooling). Needs OW ≥ 8; a row's last block starts at OW − 8
    /// (outputs it shares with the previous block are written twice, with the same values).
    /// </summary>
    private static void MaxPool2x2Avx2(ref float p0, ref float y0, ref int a0, int oH, int oW, int w)
    {
        var lane = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14); // window origin columns, relative to the block's first
        Vector256<int> right = Vector256.Create(1), below = Vector256.Create(w), belowRight = Vector256.Create(w + 1);
        for (int oh = 0; oh < oH; oh++)
        {
            int rowBase = 2 * oh * w;
            for (int ow = 0; ; ow += 8)
            {
                if (ow > oW - 8) ow = oW - 8;
                ref float top = ref Unsafe.Add(ref p0, rowBase + 2 * ow);
                ref float bottom = ref Unsafe.Add(ref top, w);
                var (best, at) = Max2x2(Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref top, 8),
                    Vector256.LoadUnsafe(ref bottom), Vector256.LoadUnsafe(ref bottom, 8), right, below, belowRight);
                nuint o = (nuint)(oh * oW + ow);
                best.StoreUnsafe(ref y0, o);
                (Vector256.Create(rowBase + 2 * ow) + lane + at).StoreUnsafe(ref a0, o);
                if (ow == oW - 8) break;
            }
        }
    }

    /// <summary>
    /// The 2×2 windows of two rows of 16 floats (t0 ‖ t1 above, b0 ‖ b1 below): each window's first maximum in
    /// row-major order (a NaN beating any number, as MaxPool2d) and its offset from the window's top-left element
    /// (0, <paramref name="right"/>, <paramref name="below"/> or <paramref name="belowRight"/>), 8 windows at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector256<float> Best, Vector256<int> At) Max2x2(Vector256<float> t0, Vector256<float> t1, Vector256<float> b0, Vector256<float> b1,
        Vector256<int> right, Vector256<int> below, Vector256<int> belowRight)
    {
        var (tl, tr) = SplitEvenOdd(t0, t1);
        var (bl, br) = SplitEvenOdd(b0, b1);
        var best = tl;
        var at = Vector256<int>.Zero;
        var gt = BeatsMask(tr, best);
        best = Vector256.ConditionalSelect(gt, tr, best);
        at = Vector256.ConditionalSelect(gt.AsInt32(), right, at);
        gt = BeatsMask(bl, best);
        best = Vector256.ConditionalSelect(gt, bl, best);
        at = Vector256.ConditionalSelect(gt.AsInt32(), below, at);
        gt = BeatsMask(br, best);
        best = Vector256.ConditionalSelect(gt, br, best);
        at = Vector256.ConditionalSelect(gt.AsInt32(), belowRight, at);
        return (best, at);
    }

    /// <summary>All bits set in the lanes where v beats best in a max pool: greater, or a NaN over a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> BeatsMask(Vector256<float> v, Vector256<float> best) =>
        Vector256.GreaterThan(v, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(v, v));

    /// <summary>(a ‖ b) [16 floats] → its even-indexed and its odd-indexed elements, 8 each, in order.</summary>
    private static (Vector256<float> Even, Vector256<float> Odd) SplitEvenOdd(Vector256<float> a, Vector256<float> b)
    {
        // Per 128-bit lane, shuffle takes a[0], a[2], b[0], b[2] (or the odd ones); the 64-bit permute then
        // puts the lanes' pairs in order: (a0 a2)(a4 a6)(b0 b2)(b4 b6).
        var even = Avx.Shuffle(a, b, 0b10_00_10_00);
        var odd = Avx.Shuffle(a, b, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }

    /// <summary>
    /// Eight neighbouring 3×3, stride-2 windows of one float plane (outputs ow0..ow0+7 of one output row,
    /// all with their three columns inside the plane; window rows [iLo, iHi) inside it, starting at input
    /// row h0): for each tap in row-major window order, 16 floats are loaded and their even columns
    /// give that tap of the 8 windows, compared with <see cref="Beats{T}"/>'s rule by blends (first maximum
    /// wins, a NaN beats any number). Reads up to input element (h0 + iHi − 1)·W + 2·ow0 + 16, which the caller keeps in the plane.
    /// </summary>
    private static void MaxPool3x3Stride2Avx2(ref float p0, int w, int h0, int iLo, int iHi, int ow0, ref float y, ref int argmax)
    {
        var lane = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
        Vector256<float> best = default;
        Vector256<int> at = default;
        for (int i = iLo; i < iHi; i++)
            for (int j = 0; j < 3; j++)
            {
                int s = (h0 + i) * w + 2 * ow0 - 1 + j; // tap (i, j) of window ow0
                var lo = Vector256.LoadUnsafe(ref p0, (nuint)s);
                var hi = Vector256.LoadUnsafe(ref p0, (nuint)(s + 8));
                // Even columns: [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6] → [lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6].
                var v = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
                var idx = Vector256.Create(s) + lane;
                if (i == iLo && j == 0) { best = v; at = idx; continue; }
                var beats = BeatsMask(v, best);
                best = Avx.BlendVariable(best, v, beats);
                at = Avx.BlendVariable(at.AsSingle(), idx.AsSingle(), beats).AsInt32();
            }
        best.StoreUnsafe(ref y);
        at.StoreUnsafe(ref argmax);
    }
}
