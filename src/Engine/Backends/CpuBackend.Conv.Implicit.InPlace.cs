using System.Buffers;

namespace Engine;

// The implicit conv forward with B read in place (Gemm.Implicit.InPlace.cs): for a stride-1 padded float conv (or a
// stride-2 one on its phase planes) on AVX-512, each task computes its filters × its strips of 32 positions counted on
// the padded width; the microkernel's epilogue stores the OW real columns of every output row into y with the bias,
// residual and Relu applied (Gemm.Implicit.Epilogue.cs). K slices before the last add into a small scratch C.
public sealed partial class CpuBackend
{
    /// <summary>Strips of 32 positions one in-place task takes when there are enough tasks for every thread.</summary>
    private const int InPlaceChunkStrips = 16;

    /// <summary>Floats readable past the last image of a zero-bordered batch for the in-place conv: the last strip's overhang.</summary>
    private static int InPlaceSlack(ConvGeometry g)
    {
        int wp = g.W + 2 * g.Pad, span = g.OH * wp, strips = (span + Gemm.InPlaceNR - 1) / Gemm.InPlaceNR;
        int lastRead = strips * Gemm.InPlaceNR - 1 + (g.KH - 1) * wp + g.KW - 1; // from the last channel's plane start
        return Math.Max(0, lastRead + 1 - (g.H + 2 * g.Pad) * wp);
    }

    /// <summary>
    /// ys [N, F, OH, OW] = conv2d(xp, ws) (+ bs) for a stride-1 conv of zero-bordered images xp [N, C, Hp, Wp] (g their
    /// geometry, pad 0) with <see cref="InPlaceSlack"/> zeros after them, or a stride-2 conv of phase planes
    /// xp [N, C, PH, PW, H, W] (<see cref="PhaseImages"/>; g.H × g.W the phase plane) with <see cref="PhaseSlack"/> after them.
    /// </summary>
    private static unsafe void ImplicitForwardInPlace(float[] xp, float[] ws, ImplicitOutput<float> output, ConvGeometry g, int f, float[] ys, int maxThreads)
    {
        int k = g.C * g.KH * g.KW, span = g.OH * g.W, nr = Gemm.InPlaceNR, threads = ConvThreads(maxThreads);
        var tasks = ConvTasks.Plan(g.N, (span + nr - 1) / nr, InPlaceChunkStrips, f, Gemm.ConvMR8, threads);
        int phases = g.Stride == 1 ? 1 : Gemm.PhasesAlong(g.KH) * Gemm.PhasesAlong(g.KW);
        int image = g.C * phases * g.H * g.W, positions = g.OH * g.OW;
        var windows = new ImageWindows(g.C, g.H, g.W, g.KH, g.KW, g.Stride, 0, g.OH, g.OW);
        float[]? bias = output.Bias, residual = output.Residual;
        bool sliced = k > Gemm.SliceDepth(k);
        WorkerPool.For(tasks.Count, t =>
        {
            tasks.Of(t, out int n, out _, out int q0, out int q1, out int f0, out int f1);
            if (f0 >= f1 || q0 >= q1) return;
            int ldc = (q1 - q0) * nr;
            // C for the K slices before the last (none when K is one slice); the last slice stores into y.
            float[]? c = sliced ? ArrayPool<float>.Shared.Rent((f1 - f0) * ldc) : null;
            try
            {
                fixed (float* px = xp, pw = ws, pc = c, py = ys, pb = bias, pr = residual)
                {
                    long at = (long)n * f * positions;
                    var store = new Gemm.ConvStore(py + at, positions, pb, pr is null ? null : pr + at, output.Relu, null, 0);
                    Gemm.ConvTilesInPlace(pw, k, f0, f1, px + (long)n * image, windows, q0, q1, pc, ldc, store);
                }
            }
            finally { if (c is not null) ArrayPool<float>.Shared.Return(c); }
        }, threads);
    }
}
