using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <summary>
    /// The transposed im2col of one image: rows[k, p] = xp[c, oh·s + i, ow·s + j] for k = (c·KH + i)·KW + j and
    /// p = oh·OW + ow, rows [C·KH·KW, OH·OW], from the zero-bordered image xp [C, Hp, Wp] at <paramref name="xOffset"/>
    /// of <paramref name="xp"/> (pg: its geometry, padding 0). Each row of the result is OH runs of OW elements of
    /// one input row; with stride 1 a float run is copied 8 floats at a time, the last vector of a run allowed to
    /// spill into what is written next (<paramref name="rows"/> needs 8 elements of slack after C·KH·KW·OH·OW).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static void WindowRows<T>(T[] xp, int xOffset, ConvGeometry pg, T[] rows) where T : unmanaged, INumberBase<T>
    {
        int oH = pg.OH, oW = pg.OW, kh = pg.KH, kw = pg.KW, s = pg.Stride, wp = pg.W, plane = pg.H * pg.W, positions = oH * oW;
        ref T x0 = ref MemoryMarshal.GetArrayDataReference(xp);
        ref T r0 = ref MemoryMarshal.GetArrayDataReference(rows);
        bool vectors = typeof(T) == typeof(float) && s == 1 && Vector256.IsHardwareAccelerated;
        int v = Vector256<float>.Count;
        for (int c = 0; c < pg.C; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++)
                {
                    // Bounds: xp's image is [C, Hp, Wp] with Hp ≥ (OH − 1)·s + KH and Wp ≥ (OW − 1)·s + KW, and rows holds
                    // C·KH·KW·OH·OW elements plus 8 of slack.
                    ref T to = ref Unsafe.Add(ref r0, ((c * kh + i) * kw + j) * positions);
                    int from = xOffset + c * plane + i * wp + j;
                    for (int oh = 0; oh < oH; oh++, from += s * wp)
                    {
                        ref T src = ref Unsafe.Add(ref x0, from);
                        ref T dst = ref Unsafe.Add(ref to, oh * oW);
                        int ow = 0;
                        if (vectors && from + ((oW + v - 1) / v) * v <= xp.Length)
                            for (; ow < oW; ow += v)
                                Vector256.LoadUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref src, ow)))
                                    .StoreUnsafe(ref Unsafe.As<T, float>(ref Unsafe.Add(ref dst, ow)));
                        for (; ow < oW; ow++) Unsafe.Add(ref dst, ow) = Unsafe.Add(ref src, ow * s);
                    }
                }
    }
}
