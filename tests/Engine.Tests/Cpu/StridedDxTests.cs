using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// dx of strided convs on the CPU's implicit path (CpuBackend.Conv.Implicit.Bands.cs: band by band of output
/// rows when W is small, else image by image) against CpuReference's col2im(dyᵀ · W): strides 2 and 3, every pad
/// 0..KH−1, odd sizes, 1×1, 3×3 and 7×7 windows, many bands of both parities and a W over the band limit,
/// float and double; the same bits on 1 thread as on all; and F.Conv2d's gradients by central differences.
/// </summary>
public class StridedDxTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;
    private static readonly CpuReference R = CpuReference.Instance;

    /// <summary>dx = col2im(g2 · W) by the reference loops, g2 [N·OH·OW, F] the gradient g [N, F, OH, OW] moved to rows.</summary>
    private static Tensor ReferenceDx(Tensor x, Tensor w2, Tensor g, int kh, int kw, int s, int p)
    {
        int n = x.Dim(0), f = w2.Dim(0), k = w2.Dim(1), oh = g.Dim(2), ow = g.Dim(3);
        var g2 = Tensor.Zeros([n, oh, ow, f], x.DType);
        R.Permute(g, [0, 2, 3, 1], g2);
        var dcols = Tensor.Zeros([n * oh * ow, k], x.DType);
        R.MatMul(g2.Reshape(n * oh * ow, f), w2, dcols);
        var dx = Tensor.Zeros(x.Shape, x.DType);
        R.Col2Im(dcols, kh, kw, s, p, dx);
        return dx;
    }

    /// <summary>Strided geometries (N, C, H, W, F, KH, KW, stride, pad): fixed ones, then random ones with strides 2 and 3.</summary>
    private static IEnumerable<(int N, int C, int H, int W, int F, int KH, int KW, int S, int P)> Geometries()
    {
        // The stem (7×7/2, 3 channels) at odd sizes; many bands of both parities; strides 3 with every pad;
        // 1×1/2 and 1×1/3; a W over the band limit (130 × 1170), which runs image by image.
        yield return (1, 3, 31, 29, 64, 7, 7, 2, 3);
        yield return (2, 3, 23, 17, 20, 7, 7, 2, 0);
        yield return (1, 3, 70, 41, 8, 3, 3, 2, 1);
        for (int p = 0; p < 7; p++) yield return (1, 4, 17, 19, 8, 7, 7, 3, p);
        for (int p = 0; p < 3; p++) yield return (2, 5, 13, 11, 9, 3, 3, 3, p);
        yield return (2, 6, 11, 9, 11, 1, 1, 2, 0);
        yield return (1, 6, 10, 9, 11, 1, 1, 3, 0);
        yield return (1, 130, 9, 7, 130, 3, 3, 2, 1);
        var rng = new Random(23);
        int[] windows = [1, 2, 3, 5, 7];
        for (int made = 0; made < 40;)
        {
            int kh = windows[rng.Next(windows.Length)], kw = rng.Next(4) == 0 ? windows[rng.Next(windows.Length)] : kh;
            int s = 2 + rng.Next(2), p = rng.Next(Math.Min(kh, kw)), h = 1 + rng.Next(40), w = 1 + rng.Next(45);
            if (h + 2 * p < kh || w + 2 * p < kw) continue;
            made++;
            yield return (1 + rng.Next(3), 1 + rng.Next(9), h, w, 1 + rng.Next(40), kh, kw, s, p);
        }
    }

    [Test]
    public void StridedDxMatchesTheReference()
    {
        int cases = 0;
        foreach (var (n, c, h, w, f, kh, kw, s, p) in Geometries())
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                string what = $"{n}×{c}×{h}×{w} → {f}, {kh}×{kw} s{s} p{p} {dtype.Name()}";
                var gen = new Generator((ulong)(n * 1000 + c * 100 + h * 7 + w + f + s + p));
                int oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1;
                using var scope = Tensor.Scope();
                var x = Tensor.Randn([n, c, h, w], dtype, generator: gen);
                var w2 = Tensor.Randn([f, c * kh * kw], dtype, generator: gen);
                var g = Tensor.Randn([n, f, oh, ow], dtype, generator: gen);
                var dx = ReferenceDx(x, w2, g, kh, kw, s, p);
                var got = Tensor.Full(dx.Shape, double.NaN, dtype);
                B.Conv2dImplicitBackward(g, x, w2, kh, kw, s, p, got, null);
                TensorAssert.Close(got, dx, dtype == DType.Float32 ? 1e-5 : 1e-12, what + ": dx");
                var one = Tensor.Full(dx.Shape, double.NaN, dtype);
                B.Conv2dImplicitBackward(g, x, w2, kh, kw, s, p, one, null, maxThreads: 1);
                Assert.That(one.ToDoubleArray(), Is.EqualTo(got.ToDoubleArray()), what + ": dx, 1 thread vs all");
                cases++;
            }
        Assert.That(cases, Is.EqualTo(2 * 56));
    }

    [Test]
    public void BandsAreTakenForSmallWeightsOnly()
    {
        Assert.That(CpuBackend.DxInBands(64, 3 * 49, 4), Is.True, "the stem's W, 64 × 147 floats");
        Assert.That(CpuBackend.DxInBands(130, 1170, 4), Is.False, "130 × 1170 floats (608 KB)");
        Assert.That(CpuBackend.DxInBands(512, 256 * 9, 4), Is.False, "ResNet-18's 256→512 3×3/2");
    }

    [Test]
    public void BandsNeverOverlapTwoApart()
    {
        // A band of B output rows reaches input rows [oh0·s − pad, (oh0 + B − 1)·s − pad + KH): the next band but one starts at (oh0 + 2B)·s − pad.
        foreach (var (oh, ow, kh, s) in new[] { (208, 288, 7, 2), (16, 15, 7, 2), (5, 5, 7, 3), (13, 18, 3, 2), (35, 20, 3, 2), (1, 1, 1, 2), (9, 4, 5, 3) })
        {
            int rows = CpuBackend.BandRows(oh, ow, kh, s);
            Assert.That(rows * s, Is.GreaterThanOrEqualTo(kh), $"OH {oh}, OW {ow}, {kh}×{kh}/{s}");
        }
    }

    /// <summary>F.Conv2d with enough filters for the implicit path, float64 central differences: strides 2 and 3, 7×7 and 1×1 windows.</summary>
    [TestCase(2, 3, 7, 9, 9)]
    [TestCase(3, 2, 3, 8, 7)]
    [TestCase(3, 0, 1, 7, 5)]
    [TestCase(2, 1, 3, 7, 6)]
    public void StridedConvGradientsMatchCentralDifferences(int stride, int pad, int k, int h, int w)
    {
        int f = CpuBackend.ImplicitMinFilters + 1;
        var x = Engine.Tests.Autograd.GradCheck.Rand([2, 3, h, w], seed: 11);
        var weight = Engine.Tests.Autograd.GradCheck.Rand([f, 3, k, k], -1, 1, seed: 12);
        Engine.Tests.Autograd.GradCheck.Check(t => Engine.Functional.F.Conv2d(t[0], t[1], null, stride, pad), [x, weight],
            what: $"Conv2d {f} filters {k}×{k}/{stride} p{pad}");
    }
}
