using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// Gathering the implicit conv's B strips with AVX-512 masks (float, stride 1 or 2): a run of up to 16 output
// positions is one masked load and one masked store per k (stride 2: two masked loads and a lane permute that
// keeps the even lanes), with no scalar tail, and the window offset of each k of the slice is looked up in a
// table made once per call instead of being stepped per strip. Masked-off lanes are neither read nor written,
// so no load leaves the image.
public static partial class Gemm
{
    /// <summary>Whether <see cref="PackWindows{T}"/> gathers float strides 1 and 2 with AVX-512 masks (false: the AVX2 loops; for A/B runs and tests).</summary>
    internal static bool PackWithMasks = true;

    /// <summary>Whether <see cref="PackWindowsMasked"/> handles this gathering.</summary>
    private static bool UsesMaskedPack<T>(int stride) =>
        PackWithMasks && typeof(T) == typeof(float) && Avx512F.IsSupported && (stride == 1 || stride == 2);

    /// <summary>
    /// <see cref="PackWindows{T}"/> for float, stride 1 or 2, on AVX-512: strips [q0, q1) of K slice [pc, pc + kc)
    /// of the unpadded images x into dst + (q − q0)·nr·kc, dst[p·nr + j] as there, 0 past the last position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void PackWindowsMasked(float* x, in ImageWindows g, int positions, int pc, int kc, int nr, int q0, int q1, float* dst)
    {
        int perImage = g.OH * g.OW, plane = g.H * g.W, s = g.Stride, w = g.W, kw = g.KW, kh = g.KH;
        long image = (long)g.C * plane;
        // off[p]: where window element k = pc + p = (c·KH + i)·KW + jw sits relative to the window's corner.
        long* off = stackalloc long[kc];
        for (int p = 0, c = pc / (kh * kw), i = pc % (kh * kw) / kw, jw = pc % kw; p < kc; p++)
        {
            off[p] = (long)c * plane + (long)i * w + jw;
            if (++jw == kw) { jw = 0; if (++i == kh) { i = 0; c++; } }
        }
        // A run is cut into groups of at most 16 outputs: group t starts at strip column runJ[t], reads from
        // x + runAt[t] + off[p] under mask load[t] (stride 2: 2·16 inputs under load[t], load2[t]) and writes under store[t].
        int maxGroups = nr / Math.Max(1, g.OW) + 2 + nr / 16;
        int* runJ = stackalloc int[maxGroups];
        long* runAt = stackalloc long[maxGroups];
        var load = stackalloc Vector512<float>[maxGroups];
        var load2 = stackalloc Vector512<float>[maxGroups];
        var store = stackalloc Vector512<float>[maxGroups];
        var evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        for (int q = q0; q < q1; q++)
        {
            int groups = 0, first = q * nr, end = Math.Min(positions, first + nr);
            for (int pos = first; pos < end;)
            {
                int n = pos / perImage, at = pos % perImage, oh = at / g.OW, ow = at % g.OW, len = Math.Min(end - pos, g.OW - ow);
                for (int t = 0; t < len; t += 16, groups++)
                {
                    int count = Math.Min(16, len - t), reads = s == 1 ? count : 2 * count - 1; // inputs the group reads
                    runJ[groups] = pos - first + t;
                    runAt[groups] = n * image + (long)oh * s * w + (long)(ow + t) * s;
                    store[groups] = FirstFloats(count);
                    load[groups] = FirstFloats(Math.Min(16, reads));
                    load2[groups] = FirstFloats(Math.Max(0, reads - 16));
                }
                pos += len;
            }
            int valid = end - first;
            float* d = dst + (long)(q - q0) * nr * kc;
            for (int p = 0; p < kc; p++)
            {
                float* row = d + (long)p * nr, src = x + off[p];
                for (int t = 0; t < groups; t++)
                {
                    float* from = src + runAt[t];
                    var v = Avx512F.MaskLoad(from, load[t], Vector512<float>.Zero);
                    if (s == 2) v = Avx512F.PermuteVar16x32x2(v, evens, Avx512F.MaskLoad(from + 16, load2[t], Vector512<float>.Zero));
                    Avx512F.MaskStore(row + runJ[t], store[t], v);
                }
                if (valid < nr) Clear(row, valid, nr);
            }
        }
    }

    /// <summary>A mask of the first <paramref name="count"/> of 16 float lanes (all bits set there, 0 elsewhere).</summary>
    private static Vector512<float> FirstFloats(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
}
