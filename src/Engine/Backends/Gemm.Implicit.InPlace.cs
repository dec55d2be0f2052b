using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// The implicit conv with B read in place (float, stride 1, AVX-512): counting output positions on the padded
// width, P = oh·Wp + ow (ow < Wp, the columns ow ≥ OW are computed and dropped), window element k = (c·KH + i)·KW + j
// of position P is x[c·H·Wp + i·Wp + j + P], so row k of colsᵀ over 32 consecutive P is 32 consecutive floats of the
// zero-bordered image: the microkernel loads them where they are, and nothing is gathered.
public static partial class Gemm
{
    /// <summary>Whether stride-1 float convs on AVX-512 may read B in place (false: always gather; for A/B runs and tests).</summary>
    internal static bool ConvInPlace = true;

    /// <summary>Columns of one in-place tile: two Vector512 of floats.</summary>
    internal const int InPlaceNR = 32;

    /// <summary>off[p] = c·plane + i·w + j for k = pc + p = (c·KH + i)·KW + j, p &lt; kc: where window element k sits from the window's corner.</summary>
    internal static unsafe void WindowOffsets(in ImageWindows g, int pc, int kc, long* off)
    {
        int plane = g.H * g.W;
        for (int p = 0, c = pc / (g.KH * g.KW), i = pc % (g.KH * g.KW) / g.KW, j = pc % g.KW; p < kc; p++)
        {
            off[p] = (long)c * plane + (long)i * g.W + j;
            if (++j == g.KW) { j = 0; if (++i == g.KH) { i = 0; c++; } }
        }
    }

    /// <summary>
    /// C rows [f0, f1) × strips [q0, q1) of one image's in-place conv: C[f, (q − q0)·32 + t] = Σ_k W[f, k] ·
    /// x[off(k) + q·32 + t] over all K in slices of <see cref="SliceDepth"/> (the same FMA chains as
    /// <see cref="ConvTiles{T}"/>), x the zero-bordered image with at least 32 readable floats past every window's
    /// last position, W [F, K] read in place, C [f1 − f0, ldc] with ldc ≥ (q1 − q0)·32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    internal static unsafe void ConvTilesInPlace(float* w, int k, int f0, int f1, float* x, in ImageWindows g, int q0, int q1, float* c, int ldc)
    {
        int kcStep = SliceDepth(k);
        long* off = stackalloc long[kcStep];
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            WindowOffsets(g, pc, kc, off);
            for (int r = f0; r < f1; r += ConvMR8)
                for (int q = q0; q < q1; q++)
                    Kernel512InPlace(kc, w + (long)r * k + pc, k, Math.Min(ConvMR8, f1 - r), x + (long)q * InPlaceNR, off,
                        c + (long)(r - f0) * ldc + (q - q0) * InPlaceNR, ldc, pc > 0);
        }
    }

    /// <summary>
    /// C[r, j] (+)= Σ_p a[r·lda + p] · x[off[p] + j] for r &lt; rows (≤ 8), j &lt; 32: the 8 × 2·Vector512 tile with
    /// each B row loaded from the image. Rows past <paramref name="rows"/> read row 0 again and are not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel512InPlace(int kc, float* a, nint lda, int rows, float* x, long* off, float* c, int ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint o1 = rows > 1 ? lda : 0, o2 = rows > 2 ? 2 * lda : 0, o3 = rows > 3 ? 3 * lda : 0, o4 = rows > 4 ? 4 * lda : 0;
        nint o5 = rows > 5 ? 5 * lda : 0, o6 = rows > 6 ? 6 * lda : 0, o7 = rows > 7 ? 7 * lda : 0;
        for (int p = 0; p < kc; p++)
        {
            float* b = x + off[p];
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var v = Vector512.Create(a[0]); c00 = Fma512(v, b0, c00); c01 = Fma512(v, b1, c01);
            v = Vector512.Create(a[o1]); c10 = Fma512(v, b0, c10); c11 = Fma512(v, b1, c11);
            v = Vector512.Create(a[o2]); c20 = Fma512(v, b0, c20); c21 = Fma512(v, b1, c21);
            v = Vector512.Create(a[o3]); c30 = Fma512(v, b0, c30); c31 = Fma512(v, b1, c31);
            v = Vector512.Create(a[o4]); c40 = Fma512(v, b0, c40); c41 = Fma512(v, b1, c41);
            v = Vector512.Create(a[o5]); c50 = Fma512(v, b0, c50); c51 = Fma512(v, b1, c51);
            v = Vector512.Create(a[o6]); c60 = Fma512(v, b0, c60); c61 = Fma512(v, b1, c61);
            v = Vector512.Create(a[o7]); c70 = Fma512(v, b0, c70); c71 = Fma512(v, b1, c71);
            a++;
        }
        Put512(c, c00, c01, accumulate);
        if (rows > 1) Put512(c + ldc, c10, c11, accumulate);
        if (rows > 2) Put512(c + 2 * ldc, c20, c21, accumulate);
        if (rows > 3) Put512(c + 3 * ldc, c30, c31, accumulate);
        if (rows > 4) Put512(c + 4 * ldc, c40, c41, accumulate);
        if (rows > 5) Put512(c + 5 * ldc, c50, c51, accumulate);
        if (rows > 6) Put512(c + 6 * ldc, c60, c61, accumulate);
        if (rows > 7) Put512(c + 7 * ldc, c70, c71, accumulate);
    }

    /// <summary>Whether a conv runs with B in place: float on AVX-512 with the Vector512 kernel, stride 1, and the dropped columns (Wp − OW of Wp) at most 1/12 of the work.</summary>
    internal static bool UsesInPlace<T>(GemmKernel kernel, int stride, int paddedWidth, int ow) where T : unmanaged =>
        ConvInPlace && ConvEightRows && typeof(T) == typeof(float) && Avx512F.IsSupported && kernel == GemmKernel.Vector512
        && stride == 1 && 12L * (paddedWidth - ow) <= paddedWidth;
}
