using System.Buffers;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Stride-2 convs read in place: the padded images are split into phase planes, phase (a, b) holding the padded
// pixels (2r + a, 2s + b), so that the window element (i, j) of output (oh, ow) is pixel (oh + i/2, ow + j/2) of
// phase (i mod 2, j mod 2) and every phase is read at stride 1, like a bordered image (Gemm.Implicit.InPlace.cs).
// A window 1 wide (or tall) reads only even pixels along that axis, so only phase 0 is built there.
public sealed partial class CpuBackend
{
    /// <summary>Rows and columns of one phase plane of a stride-2 conv: OH + (KH − 1)/2 × OW + (KW − 1)/2 (every pixel a window reads).</summary>
    private static (int H, int W) PhasePlane(ConvGeometry g) => (g.OH + (g.KH - 1) / 2, g.OW + (g.KW - 1) / 2);

    /// <summary>Floats readable past the last image of a phase-split batch: the last strip's overhang from the last phase plane.</summary>
    private static int PhaseSlack(ConvGeometry g)
    {
        var (hp, wp) = PhasePlane(g);
        int strips = (g.OH * wp + Gemm.InPlaceNR - 1) / Gemm.InPlaceNR;
        int lastRead = strips * Gemm.InPlaceNR - 1 + (g.KH - 1) / 2 * wp + (g.KW - 1) / 2; // from the last plane's start
        return Math.Max(0, lastRead + 1 - hp * wp);
    }

    /// <summary>
    /// xq [N, C, PH, PW, Hq, Wq] (rented; the caller returns it), xq[n, c, a, b, r, s] = x[n, c, 2r + a − pad, 2s + b − pad]
    /// (0 outside x), PH, PW = <see cref="Gemm.PhasesAlong"/> of KH, KW, Hq × Wq = <see cref="PhasePlane"/>; then
    /// <see cref="PhaseSlack"/> zeros.
    /// </summary>
    private static unsafe float[] PhaseImages(float[] xs, ConvGeometry g)
    {
        var (hq, wq) = PhasePlane(g);
        int ph = Gemm.PhasesAlong(g.KH), pw = Gemm.PhasesAlong(g.KW), plane = hq * wq, slack = PhaseSlack(g);
        long total = (long)g.N * g.C * ph * pw * plane;
        float[] xq = ArrayPool<float>.Shared.Rent(checked((int)total + slack));
        xq.AsSpan((int)total, slack).Clear();
        For((long)g.N * g.C, (s0, s1) =>
        {
            fixed (float* px = xs, pq = xq)
                for (int nc = s0; nc < s1; nc++)
                    for (int a = 0; a < ph; a++)
                        for (int b = 0; b < pw; b++)
                            PhasePlaneOf(px + (long)nc * g.H * g.W, g, a, b, hq, wq, pq + ((long)(nc * ph + a) * pw + b) * plane);
        }, grain: Grain((long)ph * pw * plane));
        return xq;
    }

    /// <summary>dst [Hq, Wq] = phase (a, b) of one plane x [H, W] padded by g.Pad: dst[r, s] = x[2r + a − pad, 2s + b − pad], 0 outside.</summary>
    private static unsafe void PhasePlaneOf(float* x, ConvGeometry g, int a, int b, int hq, int wq, float* dst)
    {
        // Columns s0 ≤ s < s1 read x (0 ≤ 2s + b − pad < W); the others are padding.
        int s0 = Math.Min(wq, Math.Max(0, (g.Pad - b + 1) / 2)), s1 = Math.Clamp((g.W - 1 + g.Pad - b) / 2 + 1, s0, wq);
        if (g.W - 1 + g.Pad - b < 0) s1 = s0;
        for (int r = 0; r < hq; r++)
        {
            float* to = dst + (long)r * wq;
            int h = 2 * r + a - g.Pad;
            if (h < 0 || h >= g.H || s1 == s0) { new Span<float>(to, wq).Clear(); continue; }
            new Span<float>(to, s0).Clear();
            float* from = x + (long)h * g.W + 2 * s0 + b - g.Pad; // x[h, 2·s0 + b − pad]
            if (Avx2.IsSupported) Gemm.CopyEvens(from, to + s0, s1 - s0, g.W - (2 * s0 + b - g.Pad));
            else for (int t = 0; t < s1 - s0; t++) to[s0 + t] = from[2 * t];
            new Span<float>(to + s1, wq - s1).Clear();
        }
    }
}
