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
                var (tl, tr) = SplitEvenOdd(Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref top, 8));
                var (bl, br) = SplitEvenOdd(Vector256.LoadUnsafe(ref bottom), Vector256.LoadUnsafe(ref bottom, 8));
                var best = tl;
                var at = Vector256<int>.Zero;
                var gt = Vector256.GreaterThan(tr, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(tr, tr));
                best = Vector256.ConditionalSelect(gt, tr, best);
                at = Vector256.ConditionalSelect(gt.AsInt32(), right, at);
                gt = Vector256.GreaterThan(bl, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(bl, bl));
                best = Vector256.ConditionalSelect(gt, bl, best);
                at = Vector256.ConditionalSelect(gt.AsInt32(), below, at);
                gt = Vector256.GreaterThan(br, best) | Vector256.AndNot(Vector256.Equals(best, best), Vector256.Equals(br, br));
                best = Vector256.ConditionalSelect(gt, br, best);
                at = Vector256.ConditionalSelect(gt.AsInt32(), belowRight, at);
                nuint o = (nuint)(oh * oW + ow);
                best.StoreUnsafe(ref y0, o);
                (Vector256.Create(rowBase + 2 * ow) + lane + at).StoreUnsafe(ref a0, o);
                if (ow == oW - 8) break;
            }
        }
    }

    /// <summary>(a ‖ b) [16 floats] → its even-indexed and its odd-indexed elements, 8 each, in order.</summary>
    private static (Vector256<float> Even, Vector256<float> Odd) SplitEvenOdd(Vector256<float> a, Vector256<float> b)
    {
        // Per 128-bit lane, shuffle takes a[0], a[2], b[0], b[2] (or the odd ones); the 64-bit permute then
        // puts the lanes' pairs in order: (a0 a2)(a4 a6)(b0 b2)(b4 b6).
        var even = Avx.Shuffle(a, b, 0b10_00_10_00);
        var odd = Avx.Shuffle(a, b, 0b11_01_11_01);
        return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
    }
}
