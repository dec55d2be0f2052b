using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The implicit conv's AVX-512 paths (8-row tiles, B read in place for stride 1 and, from phase planes, stride 2) against the
/// paths they replace: the same bits, on shapes that reach every edge — filters not a multiple of 8 (or 6), output
/// rows that end inside a strip, pads 1 and 2, batches 1 to 3, one thread and all — and the reference conv within
/// float rounding. On a machine without AVX-512 both sides of each pair run the same path.
/// </summary>
[NonParallelizable] // switches Gemm's static path flags
public class ImplicitConvPathTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;

    /// <summary>(N, C, H, W, F, K, stride, pad): stride-1 and stride-2 shapes wide enough for the in-place path, others for the gathering.</summary>
    private static readonly (int N, int C, int H, int W, int F, int K, int S, int P)[] Shapes =
    [
        (2, 5, 9, 24, 37, 3, 1, 1), (3, 4, 6, 30, 8, 3, 1, 1), (2, 3, 11, 23, 70, 3, 1, 1), (2, 2, 7, 40, 13, 5, 1, 2),
        (1, 6, 8, 28, 33, 3, 1, 1), (2, 7, 12, 26, 64, 3, 1, 1), (2, 3, 17, 21, 40, 7, 2, 3), (3, 4, 10, 13, 19, 3, 2, 1), (2, 3, 20, 47, 21, 7, 2, 3), (3, 5, 9, 55, 17, 3, 2, 1), (2, 4, 8, 56, 9, 1, 2, 0),
        (2, 130, 3, 24, 9, 3, 1, 1), // K = 1170: two K slices
        // ragged last strips of 7 and 8 rows on the 8-row kernel: 10 and 26 columns (one vector and two), batch 1 and batched positions
        (1, 20, 6, 7, 23, 3, 1, 1), (2, 6, 5, 9, 31, 3, 1, 1), (3, 9, 5, 7, 16, 3, 2, 1),
        // stride 2 read in place from phase planes: 7×7 pad 3 (odd and even sizes), 3×3 pad 1 and 0, two K slices; 1×1/2 gathers
        (2, 3, 13, 75, 19, 7, 2, 3), (3, 2, 12, 70, 8, 7, 2, 3), (2, 6, 11, 61, 12, 3, 2, 1), (2, 4, 10, 50, 9, 3, 2, 0),
        (3, 5, 7, 49, 11, 1, 2, 0), (2, 7, 6, 58, 70, 1, 2, 0), (2, 70, 5, 62, 10, 3, 2, 1),
        // 1×1 windows with padding on tiny planes: a 32-column tile meets up to 32/W + 2 output rows (W = 3, 4)
        (2, 3, 2, 2, 9, 1, 1, 1), (3, 2, 1, 1, 5, 1, 1, 1), (2, 4, 3, 3, 17, 1, 1, 1),
    ];

    private static Tensor Run(Tensor x, Tensor w2, Tensor? bias, int k, int s, int p, int threads = int.MaxValue)
    {
        int oh = (x.Dim(2) + 2 * p - k) / s + 1, ow = (x.Dim(3) + 2 * p - k) / s + 1;
        var y = Tensor.Full([x.Dim(0), w2.Dim(0), oh, ow], double.NaN, x.DType);
        B.Conv2dImplicit(x, w2, bias, k, k, s, p, y, threads);
        return y;
    }

    private static void WithFlags(bool eightRows, bool inPlace, Action body)
    {
        var (e, i) = (Gemm.ConvEightRows, Gemm.ConvInPlace);
        (Gemm.ConvEightRows, Gemm.ConvInPlace) = (eightRows, inPlace);
        try { body(); }
        finally { (Gemm.ConvEightRows, Gemm.ConvInPlace) = (e, i); }
    }

    [Test]
    public void EveryPathGivesTheSameBitsAsTheSixRowGatheringPath()
    {
        foreach (var (n, c, h, w, f, k, s, p) in Shapes)
            foreach (bool withBias in new[] { true, false })
            {
                string what = $"{n}×{c}×{h}×{w} → {f}, {k}×{k} s{s} p{p} bias {withBias}";
                using var scope = Tensor.Scope();
                var gen = new Generator((ulong)(n * 1000 + c * 100 + h + w + f));
                var x = Tensor.Randn([n, c, h, w], generator: gen);
                var w2 = Tensor.Randn([f, c * k * k], generator: gen);
                var bias = withBias ? Tensor.Randn([f], generator: gen) : null;
                double[] baseline = [];
                WithFlags(false, false, () => baseline = Run(x, w2, bias, k, s, p).ToDoubleArray());
                TensorAssert.Close(Tensor.FromArray(baseline.Select(v => (float)v).ToArray(), [baseline.Length]),
                    ImplicitConvTests.ReferenceConv(x, w2, bias, k, k, s, p).Reshape(baseline.Length), 1e-5, what + " vs the reference");
                foreach (var (e, i) in new[] { (true, false), (true, true) })
                    WithFlags(e, i, () =>
                    {
                        string path = $"{what}, 8 rows {e}, in place {i}";
                        Assert.That(Run(x, w2, bias, k, s, p).ToDoubleArray(), Is.EqualTo(baseline), path);
                        Assert.That(Run(x, w2, bias, k, s, p, threads: 1).ToDoubleArray(), Is.EqualTo(baseline), path + ", 1 thread");
                    });
            }
    }

    [Test]
    public void WholeVectorGatheringGivesTheSameBitsAsCopyingOneByOne()
    {
        // Small images (runs shorter than a vector, strips running on through the batch), stride 1 and 2, float and
        // double, shared and per-task packing (batch 1 splits the filters), one thread and all.
        var shapes = new (int N, int C, int H, int W, int F, int K, int S, int P)[]
        {
            (8, 6, 7, 7, 40, 3, 1, 1), (3, 5, 14, 14, 33, 3, 1, 1), (8, 4, 14, 14, 64, 3, 2, 1), (1, 9, 7, 7, 70, 3, 1, 1),
            (5, 3, 9, 11, 35, 3, 1, 0), (4, 2, 13, 5, 32, 3, 2, 1), (2, 3, 6, 6, 48, 1, 1, 0),
        };
        foreach (var (n, c, h, w, f, k, s, p) in shapes)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                string what = $"{n}×{c}×{h}×{w} → {f}, {k}×{k} s{s} p{p} {dtype}";
                using var scope = Tensor.Scope();
                var gen = new Generator((ulong)(n * 1000 + c * 100 + h + w + f));
                var x = Tensor.Randn([n, c, h, w], generator: gen).To(dtype);
                var w2 = Tensor.Randn([f, c * k * k], generator: gen).To(dtype);
                var bias = Tensor.Randn([f], generator: gen).To(dtype);
                var whole = Gemm.GatherWholeVectors;
                try
                {
                    Gemm.GatherWholeVectors = false;
                    double[] baseline = Run(x, w2, bias, k, s, p).ToDoubleArray();
                    TensorAssert.Close(Tensor.FromArray(baseline, [baseline.Length]),
                        ImplicitConvTests.ReferenceConv(x, w2, bias, k, k, s, p).To(DType.Float64).Reshape(baseline.Length), 1e-5, what + " vs the reference");
                    Gemm.GatherWholeVectors = true;
                    Assert.That(Run(x, w2, bias, k, s, p).ToDoubleArray(), Is.EqualTo(baseline), what);
                    Assert.That(Run(x, w2, bias, k, s, p, threads: 1).ToDoubleArray(), Is.EqualTo(baseline), what + ", 1 thread");
                }
                finally { Gemm.GatherWholeVectors = whole; }
            }
    }

    [Test]
    public void StrideOneConvsWithNarrowBordersReadTheImageInPlaceOnAvx512()
    {
        bool avx512 = Avx512F.IsSupported && Vector512.IsHardwareAccelerated;
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 1, 58, 56, 12), Is.EqualTo(avx512), "56×56, pad 1: 2 of 58 columns dropped");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 1, 30, 28, 12), Is.EqualTo(avx512), "28×28, pad 1: 2 of 30");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 1, 16, 14, 12), Is.False, "14×14: 2 of 16 is too many");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 2, 29, 28, 12), Is.EqualTo(avx512), "stride 2, 3×3: phase planes 29 wide for 28 outputs");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 2, 115, 112, 12), Is.EqualTo(avx512), "stride 2, 7×7: 3 of 115");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 2, 8, 7, 12), Is.False, "stride 2, 7×7 outputs: 1 of 8 is too many");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 3, 58, 56, 12), Is.False, "stride 3");
        Assert.That(Gemm.UsesInPlace<double>(GemmKernel.Vector512, 1, 58, 56, 12), Is.False, "double");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector256, 1, 58, 56, 12), Is.False, "the Vector256 kernel");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 1, 16, 14, 4), Is.EqualTo(avx512), "dx's share, a quarter: 2 of 16");
        Assert.That(Gemm.UsesInPlace<float>(GemmKernel.Vector512, 1, 7, 5, 4), Is.False, "dx's share: 2 of 7 is too many");
    }
}
