using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// The implicit conv with B read in place (float, AVX-512): counting output positions on the padded width,
// P = oh·Wp + ow (ow < Wp, the columns ow ≥ OW are computed and dropped), window element k = (c·KH + i)·KW + j
// of position P is x[c·H·Wp + i·Wp + j + P] at stride 1, so row k of colsᵀ over 32 consecutive P is 32 consecutive
// floats of the zero-bordered image: the microkernel loads them where they are, and nothing is gathered.
// Stride 2 reads the image split into its phases (rows of one parity × columns of one parity, PhaseImages in
// CpuBackend.Conv.Implicit.Phases.cs): padded pixel (2·oh + i, 2·ow + j) is pixel (oh + i/2, ow + j/2) of phase
// (i mod 2, j mod 2), so each phase is read at stride 1 like a bordered image.
public static partial class Gemm
{
    /// <summary>Whether stride-1 float convs on AVX-512 may read B in place (false: always gather; for A/B runs and tests).</summary>
    internal static bool ConvInPlace = true;

    /// <summary>Columns of one in-place tile: two Vector512 of floats.</summary>
    internal const int InPlaceNR = 32;

    /// <summary>Phases of a stride-2 in-place image along one axis: 2, or 1 for a window 1 wide (only even pixels are read).</summary>
    internal static int PhasesAlong(int window) => Math.Min(2, window);

    /// <summary>
    /// off[p] for k = pc + p = (c·KH + i)·KW + j, p &lt; kc: where window element k sits from the window's corner.
    /// Stride 1: c·plane + i·W + j in bordered planes H × W. Stride 2: ((c·PH + i mod 2)·PW + j mod 2)·plane +
    /// (i/2)·W + j/2 in phase planes H × W (PH, PW = <see cref="PhasesAlong"/> of KH, KW).
    /// </summary>
    internal static unsafe void WindowOffsets(in ImageWindows g, int pc, int kc, long* off)
    {
        int plane = g.H * g.W, ph = PhasesAlong(g.KH), pw = PhasesAlong(g.KW);
        for (int p = 0, c = pc / (g.KH * g.KW), i = pc % (g.KH * g.KW) / g.KW, j = pc % g.KW; p < kc; p++)
        {
            off[p] = g.Stride == 1 ? (long)c * plane + (long)i * g.W + j
                : ((long)(c * ph + i % 2) * pw + j % 2) * plane + (long)(i / 2) * g.W + j / 2;
            if (++j == g.KW) { j = 0; if (++i == g.KH) { i = 0; c++; } }
        }
    }

    /// <summary>
    /// Rows [f0, f1) × strips [q0, q1) of one image's in-place conv: y[f, P] = Σ_k W[f, k] · x[off(k) + P] for the
    /// positions P = q·32 + t on the padded width, over all K in slices of <see cref="SliceDepth"/> (the same FMA chains as
    /// <see cref="ConvTiles{T}"/>), x the zero-bordered image with at least 32 readable floats past every window's last
    /// position (or its phase planes at stride 2), W [F, K] read in place. Every slice but the last adds into the
    /// scratch C [f1 − f0, ldc] (ldc ≥ (q1 − q0)·32; unused, may be null, when K is one slice); the last one's sums go
    /// through <paramref name="store"/> (filter 0's plane of y) into y's real columns. Per K slice each strip's B rows
    /// (read from the image) meet every A strip in turn, so they are reused from cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    internal static unsafe void ConvTilesInPlace(float* w, int k, int f0, int f1, float* x, in ImageWindows g, int q0, int q1, float* c, int ldc, ConvStore store)
    {
        int kcStep = SliceDepth(k);
        long* off = stackalloc long[kcStep];
        var segments = stackalloc ConvSegment[InPlaceNR / g.W + 2]; // a 32-column tile meets at most 32/W + 2 output rows
        var next = stackalloc ConvSegment[InPlaceNR / g.W + 2];     // the next strip's, whose residual is fetched meanwhile
        for (int pc = 0; pc < k; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            WindowOffsets(g, pc, kc, off);
            bool last = pc + kc == k;
            int count = last ? InPlaceSegments(g, q0, segments) : 0;
            for (int q = q0; q < q1; q++)
            {
                // With a residual, the next strip's segments (to prefetch its residual now) become this one's on the next q.
                int nextCount = last && store.HasResidual && q + 1 < q1 ? InPlaceSegments(g, q + 1, next) : 0;
                for (int r = f0; r < f1; r += ConvMR8)
                {
                    float* a = w + (long)r * k + pc, ct = c + (long)(r - f0) * ldc + (q - q0) * InPlaceNR;
                    var b = new WindowRows(x + (long)q * InPlaceNR, off);
                    int rows = Math.Min(ConvMR8, f1 - r);
                    if (last)
                    {
                        var tileStore = store.At(r, segments, count);
                        if (store.HasResidual) store.PrefetchResidual(r, rows, next, nextCount);
                        Kernel<float, Vector512<float>, Simd512<float>, Rows8, WindowRows, ConvStore>(kc, a, k, 1, b, ct, ldc, rows, InPlaceNR, pc > 0, 1f, false,
                            in tileStore);
                    }
                    else
                        Kernel<float, Vector512<float>, Simd512<float>, Rows8, WindowRows, NoEpilogue<Vector512<float>, float>>(kc, a, k, 1, b, ct, ldc, rows, InPlaceNR,
                            pc > 0, 1f, false, default);
                }
                if (!last || q + 1 == q1) continue;
                if (store.HasResidual)
                {
                    var done = segments;
                    segments = next;
                    next = done;
                    count = nextCount;
                }
                else count = InPlaceSegments(g, q + 1, segments);
            }
        }
    }

    /// <summary>
    /// Whether a conv runs with B in place: float on AVX-512 with the Vector512 kernel, stride 1 or 2, and the dropped
    /// columns (Wp − OW of the width Wp read per output row: the bordered width, or at stride 2 the phase width
    /// OW + (KW − 1)/2) at most 1/<paramref name="share"/> of the work (the forward allows a twelfth; dx's conv, with
    /// few outputs for the values gathered per position, a quarter).
    /// </summary>
    internal static bool UsesInPlace<T>(GemmKernel kernel, int stride, int paddedWidth, int ow, int share) where T : unmanaged =>
        ConvInPlace && ConvEightRows && typeof(T) == typeof(float) && Avx512F.IsSupported && kernel == GemmKernel.Vector512
        && stride is (1 or 2) && (long)share * (paddedWidth - ow) <= paddedWidth;
}
