using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine;

// dx of a strided conv by bands of output rows: for the output rows [oh0, oh1) of image n, the block
// dcols [(oh1 − oh0)·OW, C·KH·KW] = dy_bandᵀ · W is made in a scratch that stays in cache and at once scattered
// into dx (col2im). A band of B rows reaches input rows [oh0·s − pad, (oh1 − 1)·s − pad + KH), so bands two apart
// never write the same pixel when B·s ≥ KH: the even bands run in parallel, then the odd ones. The band height
// depends on the shapes alone, so every dx element gets its terms in the same order on any number of threads.
// Each band's GEMM packs W again, so bands pay only while W is small (the 7×7/2 stem's 64 × 147).
public sealed partial class CpuBackend
{
    /// <summary>Output positions one band aims for: its dcols block (× C·KH·KW) stays in a core's L2.</summary>
    private const int BandPositions = 256;

    /// <summary>Largest W (bytes) for which dx runs in bands: each band packs W again, which stays cheap while W fits in L2.</summary>
    private const int BandMaxWeightBytes = 512 << 10;

    /// <summary>Whether dx of a strided conv with W [F, K] runs band by band rather than image by image.</summary>
    internal static bool DxInBands(int f, int k, int elementBytes) => (long)f * k * elementBytes <= BandMaxWeightBytes;

    /// <summary>Output rows per band for geometry g: enough for B·s ≥ KH and about BandPositions positions, at least 8 bands when OH allows (shapes only, never the thread count).</summary>
    internal static int BandRows(int oh, int ow, int kh, int stride)
    {
        int least = Math.Max(1, (kh + stride - 1) / stride);
        int wanted = Math.Min((BandPositions + ow - 1) / Math.Max(1, ow), Math.Max(1, oh / 8));
        return Math.Max(least, wanted);
    }

    /// <summary>dx [N, C, H, W] = col2im(dyᵀ · W) for dy gs [N, F, OH, OW] and ws [F, C·KH·KW], band by band (see above).</summary>
    private static void DxByBands<T>(T[] gs, T[] ws, ConvGeometry g, int f, T[] ds, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.C * g.KH * g.KW, positions = g.OH * g.OW, plane = g.H * g.W;
        ds.AsSpan(0, g.N * g.C * plane).Clear();
        if (positions == 0 || k == 0) return;
        int rows = BandRows(g.OH, g.OW, g.KH, g.Stride), bands = (g.OH + rows - 1) / rows;
        for (int parity = 0; parity < 2; parity++)
        {
            int perImage = (bands - parity + 1) / 2;
            if (perImage <= 0) continue;
            WorkerPool.For(g.N * perImage, u =>
            {
                int n = u / perImage, band = 2 * (u % perImage) + parity;
                int oh0 = band * rows, oh1 = Math.Min(g.OH, oh0 + rows), bp = (oh1 - oh0) * g.OW;
                T[] dyBand = ArrayPool<T>.Shared.Rent(f * bp), dcols = ArrayPool<T>.Shared.Rent(bp * k);
                try
                {
                    // dyBand [F, bp] = dy[n, :, oh0 .. oh1); dcols [bp, K] = dyBandᵀ · W.
                    for (int o = 0; o < f; o++)
                        gs.AsSpan((n * f + o) * positions + oh0 * g.OW, bp).CopyTo(dyBand.AsSpan(o * bp, bp));
                    Gemm1(true, false, bp, k, f, dyBand.AsMemory(0, f * bp), ws.AsMemory(0, f * k), T.Zero, dcols.AsMemory(0, bp * k));
                    Col2ImAdd(dcols, g, n, oh0, oh1, 0, g.C, ds);
                }
                finally
                {
                    ArrayPool<T>.Shared.Return(dyBand);
                    ArrayPool<T>.Shared.Return(dcols);
                }
            }, threads);
        }
    }
}
