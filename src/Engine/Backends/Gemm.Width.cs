using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

// How wide this CPU's AVX-512 really is. Some cores run a 512-bit FMA in one go (AMD Zen 5, Intel Xeons with two FMA
// units): a Vector512 instruction does twice the flops of a Vector256 one in the same time. Others split it into two
// 256-bit halves (AMD Zen 4): the same flops per cycle either way. The narrow-product rules (KernelFor,
// SharesColumnsBetterOn256) weigh a Vector256 column accordingly. The kernels give the same bits either way.
public static partial class Gemm
{
    private static bool? _fullWidth512;

    /// <summary>
    /// Whether a 512-bit FMA costs no more time than a 256-bit one here: measured once, on first use, as the time of
    /// the same number of independent FMAs on each width (best of 7 tries; a split unit takes about twice as long on
    /// 512 bits). False without AVX-512. Tests set it to check both rules.
    /// </summary>
    internal static bool FullWidth512
    {
        get => _fullWidth512 ??= MeasureFullWidth512();
        set => _fullWidth512 = value;
    }

    /// <summary>Time of one column in Vector256 strips in units of one column in Vector512 strips: 2 at full 512-bit width, else 1.</summary>
    private static int Cost256 => Best == GemmKernel.Vector512 && FullWidth512 ? 2 : 1;

    private static bool MeasureFullWidth512()
    {
        if (!Avx512F.IsSupported || !Vector512.IsHardwareAccelerated) return false;
        long t256 = long.MaxValue, t512 = long.MaxValue;
        float sink = 0;
        for (int trial = 0; trial < 7; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            sink += Chains<Vector256<float>, Simd256<float>>(WidthProbeSteps);
            t256 = Math.Min(t256, Stopwatch.GetTimestamp() - start);
            start = Stopwatch.GetTimestamp();
            sink += Chains<Vector512<float>, Simd512<float>>(WidthProbeSteps);
            t512 = Math.Min(t512, Stopwatch.GetTimestamp() - start);
        }
        return float.IsFinite(sink) && t512 < 1.5 * t256;
    }

    /// <summary>Steps of the width probe: 8 FMAs each, about 16 k cycles in all on a 2-FMA core.</summary>
    private const int WidthProbeSteps = 4096;

    // 8 independent chains c = c·m + a (they converge to a/(1 − m), no denormals): enough in flight to fill 2 FMA units
    // of 4 cycles' latency, so the time is the units' throughput. Returns the first lane of their sum (kept by the caller).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe float Chains<TV, V>(int steps) where TV : struct where V : struct, ISimd<TV, float>
    {
        TV m = V.Splat(0.5f), a = V.Splat(0.25f);
        TV c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a;
        for (int i = 0; i < steps; i++)
        {
            c0 = V.Fma(c0, m, a); c1 = V.Fma(c1, m, a); c2 = V.Fma(c2, m, a); c3 = V.Fma(c3, m, a);
            c4 = V.Fma(c4, m, a); c5 = V.Fma(c5, m, a); c6 = V.Fma(c6, m, a); c7 = V.Fma(c7, m, a);
        }
        float* sum = stackalloc float[V.Count];
        V.Store(sum, V.Add(V.Add(V.Add(c0, c1), V.Add(c2, c3)), V.Add(V.Add(c4, c5), V.Add(c6, c7))));
        return sum[0];
    }
}
