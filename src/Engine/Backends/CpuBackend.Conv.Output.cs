using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine;

// The conv's output pass on the CPU: the GEMM leaves y2 [N·OH·OW, F] (NHWC rows); one pass adds the
// bias and writes y [N, F, OH, OW] (NCHW), where the op table would run a broadcast Add and a Permute.
public sealed partial class CpuBackend
{
    /// <summary>Output positions per block of the transpose: their y2 rows stay in L1 while every channel is written.</summary>
    private const int ConvOutputBlock = 64;

    /// <summary>
    /// y[n, f, p] = y2[n·P + p, f] + bias[f] (or y2 alone when bias is null) for y2 [N·P, F], bias [F],
    /// y [N, F, OH, OW] with P = OH·OW: the same single addition as Add then Permute.
    /// </summary>
    internal void Conv2dOutput(Tensor y2, Tensor? bias, Tensor y)
        => Dispatch(y2, "Conv2d output", new Conv2dOutputCall(y2, bias, y));

    private readonly record struct Conv2dOutputCall(Tensor Y2, Tensor? Bias, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Conv2dOutputT<T>(Y2, Bias, Y);
    }

    private static void Conv2dOutputT<T>(Tensor y2, Tensor? bias, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = y.ShapeRef;
        int n = shape[0], f = shape[1], p = shape[2] * shape[3];
        if (Tensor.SizeOf(y2.ShapeRef) != Tensor.SizeOf(shape) || y2.ShapeRef[^1] != f || (bias is not null && Tensor.SizeOf(bias.ShapeRef) != f))
            throw new ArgumentException($"Conv2d output: expected y2 [{n * p}, {f}] and bias [{f}] for y {Tensor.ShapeString(y.Shape)}.");
        T[] src = Data<T>(y2), dst = Data<T>(y);
        T[]? b = bias is null ? null : Data<T>(bias);
        int blocks = (p + ConvOutputBlock - 1) / ConvOutputBlock;
        For((long)n * blocks, (s, e) =>
        {
            ref T sRef = ref MemoryMarshal.GetArrayDataReference(src);
            ref T dRef = ref MemoryMarshal.GetArrayDataReference(dst);
            for (int t = s; t < e; t++)
            {
                int img = t / blocks, p0 = t % blocks * ConvOutputBlock, p1 = Math.Min(p, p0 + ConvOutputBlock);
                for (int c = 0; c < f; c++)
                {
                    T add = b is null ? T.Zero : b[c];
                    // Bounds: rows img·P + p0..p1−1 of y2 and plane (img, c) of y, both inside their arrays (checked above).
                    ref T from = ref Unsafe.Add(ref sRef, (nint)(((long)img * p + p0) * f + c));
                    ref T to = ref Unsafe.Add(ref dRef, (nint)(((long)img * f + c) * p + p0));
                    if (b is null)
                        for (int q = 0; q < p1 - p0; q++) Unsafe.Add(ref to, q) = Unsafe.Add(ref from, (nint)q * f);
                    else
                        for (int q = 0; q < p1 - p0; q++) Unsafe.Add(ref to, q) = Unsafe.Add(ref from, (nint)q * f) + add;
                }
            }
        }, grain: Math.Max(1, ParallelThreshold / (ConvOutputBlock * Math.Max(1, f))));
    }
}
