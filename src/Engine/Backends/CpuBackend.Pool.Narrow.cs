using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <summary>
    /// 2×2, stride-2 max pooling of one float plane narrower than one AVX2 block (OW &lt; 8: 20.4.2's 14×14 → 7×7),
    /// one output row per step: the 16 floats from the start of the window's two input rows are split into even and
    /// odd columns (<see cref="SplitEvenOdd"/>), the four window values compared as in <see cref="MaxPool2x2Avx2"/>
    /// (first maximum wins, a NaN beats any number), and the row's OW outputs kept. Loads that would pass the end of
    /// the plane read a zero-filled copy of the row instead; so the result depends on nothing outside the plane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static void MaxPool2x2Narrow(Span<float> plane, Span<float> y, Span<int> argmax, int oH, int oW, int w)
    {
        var lane = Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14); // window origin columns of the row's outputs
        Vector256<int> right = Vector256.Create(1), below = Vector256.Create(w), belowRight = Vector256.Create(w + 1);
        Span<float> rows = stackalloc float[32]; // the two window rows, zero-padded to 16 floats each, near the plane's end
        Span<float> yRow = stackalloc float[8];
        Span<int> aRow = stackalloc int[8];
        ref float p0 = ref MemoryMarshal.GetReference(plane);
        for (int oh = 0; oh < oH; oh++)
        {
            int rowBase = 2 * oh * w;
            Vector256<float> t0, t1, b0, b1;
            if (rowBase + w + 16 <= plane.Length)
            {
                ref float top = ref Unsafe.Add(ref p0, rowBase);
                ref float bottom = ref Unsafe.Add(ref top, w);
                (t0, t1, b0, b1) = (Vector256.LoadUnsafe(ref top), Vector256.LoadUnsafe(ref top, 8), Vector256.LoadUnsafe(ref bottom), Vector256.LoadUnsafe(ref bottom, 8));
            }
            else
            {
                // Bounds: 2·OW ≤ W values of each row lie in the plane (OH, OW rounded down from H, W).
                rows.Clear();
                plane.Slice(rowBase, 2 * oW).CopyTo(rows);
                plane.Slice(rowBase + w, 2 * oW).CopyTo(rows[16..]);
                (t0, t1, b0, b1) = (Vector256.Create<float>(rows), Vector256.Create<float>(rows[8..]), Vector256.Create<float>(rows[16..]), Vector256.Create<float>(rows[24..]));
            }
            var (best, at) = Max2x2(t0, t1, b0, b1, right, below, belowRight);
            best.CopyTo(yRow);
            (Vector256.Create(rowBase) + lane + at).CopyTo(aRow);
            yRow[..oW].CopyTo(y.Slice(oh * oW, oW));
            aRow[..oW].CopyTo(argmax.Slice(oh * oW, oW));
        }
    }
}
