using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine;

namespace Web;

/// <summary>
/// What the engine's CPU backend uses inside the browser, and one GEMM checked against a plain loop.
/// In WebAssembly there is no AVX: Vector256 is not accelerated, so the packed GEMM picks its
/// <c>Vector&lt;T&gt;</c> microkernel (128-bit WebAssembly SIMD), and the worker pool has one thread.
/// </summary>
public sealed record EngineCheck(string Architecture, bool Vector128Accelerated, bool Vector256Accelerated,
    int VectorFloatLanes, string GemmKernel, int Threads, int GemmSize, double GemmMaxError)
{
    /// <summary>Runs the check: a <paramref name="n"/>×n by n×n MatMul through the engine against a double-precision loop.</summary>
    public static EngineCheck Run(int n = 96)
    {
        using var scope = Tensor.Scope();
        var gen = new Generator(1);
        var a = Tensor.Rand([n, n], -1, 1, generator: gen);
        var b = Tensor.Rand([n, n], -1, 1, generator: gen);
        float[] c = a.MatMul(b).ToArray<float>(), av = a.ToArray<float>(), bv = b.ToArray<float>();
        double maxError = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += (double)av[i * n + k] * bv[k * n + j];
                maxError = Math.Max(maxError, Math.Abs(sum - c[i * n + j]));
            }
        return new EngineCheck(RuntimeInformation.ProcessArchitecture.ToString(), Vector128.IsHardwareAccelerated,
            Vector256.IsHardwareAccelerated, System.Numerics.Vector<float>.Count, Gemm.Best.ToString(), WorkerPool.Threads, n, maxError);
    }

    /// <summary>One line for the page.</summary>
    public override string ToString() =>
        $"{Architecture}: Vector128 {(Vector128Accelerated ? "accelerated" : "software")}, Vector256 {(Vector256Accelerated ? "accelerated" : "software")}, "
        + $"Vector<float> {VectorFloatLanes} lanes; GEMM kernel {GemmKernel}; {Threads} worker thread(s); "
        + $"{GemmSize}×{GemmSize} MatMul max error vs a double loop {GemmMaxError:0.0e+0}";
}
