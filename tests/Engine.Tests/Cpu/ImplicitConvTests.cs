using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The CPU's implicit-GEMM convolution (CpuBackend.Conv.Implicit.cs, Gemm.Implicit.cs) against CpuReference's
/// Im2Col → MatMul → bias → NHWC-to-NCHW composition, on random geometries: strides 1–3, pads 0..KH−1,
/// 1×1 to 7×7 and non-square windows, images smaller than one B strip, filters not a multiple of the
/// microkernel's 6 rows, batch 1 and several, float and double; and the same bits on 1 thread as on all.
/// </summary>
public class ImplicitConvTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;
    private static readonly CpuReference R = CpuReference.Instance;

    /// <summary>conv2d(x, w2) + bias by the plain reference loops, as y [N, F, OH, OW].</summary>
    internal static Tensor ReferenceConv(Tensor x, Tensor w2, Tensor? bias, int kh, int kw, int s, int p)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3), f = w2.Dim(0);
        int oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1;
        var cols = Tensor.Zeros([n * oh * ow, c * kh * kw], x.DType);
        R.Im2Col(x, kh, kw, s, p, cols);
        var y2 = Tensor.Zeros([n * oh * ow, f], x.DType);
        R.MatMul(cols, w2, y2, transB: true);
        if (bias is not null) R.Binary(BinaryOp.Add, y2, bias, y2);
        var y = Tensor.Zeros([n, f, oh, ow], x.DType);
        R.Permute(y2.Reshape(n, oh, ow, f), [0, 3, 1, 2], y);
        cols.Dispose();
        y2.Dispose();
        return y;
    }

    /// <summary>(N, C, H, W, F, KH, KW, stride, pad) drawn at random, each a valid conv with a small output.</summary>
    internal static IEnumerable<(int N, int C, int H, int W, int F, int KH, int KW, int S, int P)> RandomGeometries(int seed, int count)
    {
        var rng = new Random(seed);
        int[] windows = [1, 2, 3, 5, 7];
        for (int made = 0; made < count;)
        {
            int kh = windows[rng.Next(windows.Length)], kw = rng.Next(4) == 0 ? windows[rng.Next(windows.Length)] : kh;
            int s = 1 + rng.Next(3), p = rng.Next(Math.Min(kh, kw));
            int h = 1 + rng.Next(20), w = 1 + rng.Next(45);
            if (h + 2 * p < kh || w + 2 * p < kw) continue;
            made++;
            yield return (1 + rng.Next(3), 1 + rng.Next(9), h, w, 1 + rng.Next(40), kh, kw, s, p);
        }
    }

    [Test]
    public void ForwardMatchesTheReferenceOnRandomGeometries()
    {
        // Fixed shapes first: ResNet-18's (scaled down), one B strip exactly, 1×1 stride 2, a K over one slice (KC = 1024).
        var fixedCases = new[]
        {
            (2, 3, 30, 30, 16, 7, 7, 2, 3), (1, 16, 14, 14, 16, 3, 3, 1, 1), (3, 8, 8, 8, 12, 3, 3, 2, 1), (2, 8, 9, 9, 12, 1, 1, 2, 0),
            (1, 4, 4, 8, 7, 1, 1, 1, 0), (1, 130, 5, 6, 13, 3, 3, 1, 1), (2, 3, 2, 3, 5, 3, 3, 1, 2),
            (8, 16, 7, 7, 40, 3, 3, 1, 1), (4, 6, 14, 14, 13, 3, 3, 2, 1), (3, 5, 3, 2, 7, 1, 1, 1, 0), // strips running on through the batch
        };
        foreach (var (n, c, h, w, f, kh, kw, s, p) in fixedCases.Concat(RandomGeometries(5, 60)))
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (bool withBias in new[] { true, false })
                {
                    string what = $"{n}×{c}×{h}×{w} → {f}, {kh}×{kw} s{s} p{p} {dtype.Name()} bias {withBias}";
                    var gen = new Generator((ulong)(n * 1000 + c * 100 + h + w));
                    using var scope = Tensor.Scope();
                    var x = Tensor.Randn([n, c, h, w], dtype, generator: gen);
                    var w2 = Tensor.Randn([f, c * kh * kw], dtype, generator: gen);
                    var bias = withBias ? Tensor.Randn([f], dtype, generator: gen) : null;
                    var expected = ReferenceConv(x, w2, bias, kh, kw, s, p);
                    var y = Tensor.Full(expected.Shape, double.NaN, dtype);
                    B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, y);
                    TensorAssert.Close(y, expected, dtype == DType.Float32 ? 1e-5 : 1e-12, what);
                    var one = Tensor.Full(expected.Shape, double.NaN, dtype);
                    B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, one, maxThreads: 1);
                    Assert.That(one.ToDoubleArray(), Is.EqualTo(y.ToDoubleArray()), what + ": 1 thread vs all");
                }
    }

    [Test]
    public void SmallImagesRunTheirStripsOnThroughTheBatch()
    {
        Assert.That(CpuBackend.BatchesPositions(8, 49, 32, 512, 4), Is.True, "7×7 at batch 8: 13 strips instead of 16");
        Assert.That(CpuBackend.BatchesPositions(8, 196, 32, 256, 4), Is.True, "14×14 at batch 8: 49 strips instead of 56");
        Assert.That(CpuBackend.BatchesPositions(8, 784, 32, 128, 4), Is.False, "28×28: 196 instead of 200 is not worth a scratch pass");
        Assert.That(CpuBackend.BatchesPositions(8, 3136, 32, 64, 4), Is.False, "56×56 fills its strips");
        Assert.That(CpuBackend.BatchesPositions(1, 49, 32, 512, 4), Is.False, "one image");
        Assert.That(CpuBackend.BatchesPositions(64, 49, 32, 4096, 4), Is.False, "scratch over 16 MiB");
    }

    /// <summary>
    /// F.Conv2d with enough filters to take the implicit GEMM (CpuBackend.ImplicitMinFilters), float64 central
    /// differences for x, W and b: strides 1 and 2, pads 0..2, a non-square window, dilation and unequal
    /// (stride, padding) pairs, which F.Conv2d runs as compositions around the same conv.
    /// </summary>
    [TestCase(1, 0, 1, 3, true)]
    [TestCase(1, 2, 1, 3, true)]
    [TestCase(2, 1, 1, 3, false)]
    [TestCase(1, 1, 2, 2, true)]
    public void Conv2dGradientsOnTheImplicitPathMatchCentralDifferences(int stride, int pad, int dilation, int kw, bool withBias)
    {
        int f = CpuBackend.ImplicitMinFilters + 1;
        var x = Engine.Tests.Autograd.GradCheck.Rand([2, 2, 6, 5], seed: 1);
        var w = Engine.Tests.Autograd.GradCheck.Rand([f, 2, 3, kw], -1, 1, seed: 2);
        var b = Engine.Tests.Autograd.GradCheck.Rand([f], seed: 3);
        Tensor[] inputs = withBias ? [x, w, b] : [x, w];
        Engine.Tests.Autograd.GradCheck.Check(t => Engine.Functional.F.Conv2d(t[0], t[1], withBias ? t[2] : null, stride, pad, dilation), inputs,
            what: $"Conv2d {f} filters s{stride} p{pad} d{dilation} 3×{kw}");
        Engine.Tests.Autograd.GradCheck.Check(t => Engine.Functional.F.Conv2d(t[0], t[1], withBias ? t[2] : null, (stride, 1), (pad, 1)), inputs,
            what: $"Conv2d {f} filters stride ({stride}, 1) padding ({pad}, 1) 3×{kw}");
    }

    [Test]
    public void ForwardWithoutInputChannelsIsTheBias()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Zeros([2, 0, 5, 5]);
        var w2 = Tensor.Zeros([3, 0]);
        var bias = Tensor.FromArray(new[] { 1f, -2f, 3f }, [3]);
        var y = Tensor.Full([2, 3, 3, 3], double.NaN);
        B.Conv2dImplicit(x, w2, bias, 3, 3, 1, 0, y);
        Assert.That(y.ToArray<float>(), Is.EqualTo(Enumerable.Range(0, 2).SelectMany(_ => new[] { 1f, -2f, 3f }.SelectMany(b => Enumerable.Repeat(b, 9)))));
    }

    [Test]
    public void ForwardRejectsMismatchedShapes()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Zeros([1, 2, 5, 5]);
        var ex = Assert.Throws<ArgumentException>(() => B.Conv2dImplicit(x, Tensor.Zeros([3, 17]), null, 3, 3, 1, 0, Tensor.Zeros([1, 3, 3, 3])));
        Assert.That(ex!.Message, Does.Contain("Conv2d"));
    }
    /// <summary>dx and dW [F, K] of conv2d(x, w2) for dy = g [N, F, OH, OW] by the reference loops: col2im(g2 · W), (colsᵀ · g2)ᵀ.</summary>
    private static (Tensor Dx, Tensor Dw) ReferenceBackward(Tensor x, Tensor w2, Tensor g, int kh, int kw, int s, int p)
    {
        int n = x.Dim(0), f = w2.Dim(0), k = w2.Dim(1), oh = g.Dim(2), ow = g.Dim(3), m = n * oh * ow;
        var g2 = Tensor.Zeros([n, oh, ow, f], x.DType);
        R.Permute(g, [0, 2, 3, 1], g2);
        using var g2m = g2.Reshape(m, f);
        var cols = Tensor.Zeros([m, k], x.DType);
        R.Im2Col(x, kh, kw, s, p, cols);
        var dcols = Tensor.Zeros([m, k], x.DType);
        R.MatMul(g2m, w2, dcols);
        var dx = Tensor.Zeros(x.Shape, x.DType);
        R.Col2Im(dcols, kh, kw, s, p, dx);
        var dwT = Tensor.Zeros([k, f], x.DType);
        R.MatMul(cols, g2m, dwT, transA: true);
        var dw = Tensor.Zeros([f, k], x.DType);
        R.Permute(dwT, [1, 0], dw);
        foreach (var t in new[] { g2, cols, dcols, dwT }) t.Dispose();
        return (dx, dw);
    }

    [Test]
    public void BackwardMatchesTheReferenceOnRandomGeometries()
    {
        // Fixed shapes first: stride 1 with every pad 0..KH−1 (dx as a conv), 1×1, strides 2 (dx by col2im), one image, a K over one slice.
        var fixedCases = new[]
        {
            (2, 5, 9, 11, 33, 3, 3, 1, 0), (2, 5, 9, 11, 33, 3, 3, 1, 1), (1, 5, 9, 11, 33, 3, 3, 1, 2), (3, 4, 8, 7, 12, 5, 5, 1, 4),
            (2, 8, 9, 9, 12, 1, 1, 1, 0), (2, 8, 9, 9, 12, 1, 1, 2, 0), (1, 3, 30, 30, 16, 7, 7, 2, 3), (1, 130, 5, 6, 13, 3, 3, 1, 1),
            (9, 3, 6, 6, 7, 3, 3, 2, 1),
            // dx read in place (padded width at least 4·(KH − 1)): 20.4.2's second conv, 3×3 and 5×5 with pad < KH − 1.
            (3, 16, 14, 14, 32, 5, 5, 1, 2), (2, 4, 20, 22, 9, 3, 3, 1, 0), (2, 6, 16, 17, 8, 5, 5, 1, 1), (4, 2, 9, 8, 3, 3, 3, 1, 1),
        };
        foreach (var (n, c, h, w, f, kh, kw, s, p) in fixedCases.Concat(RandomGeometries(8, 50)))
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                string what = $"{n}×{c}×{h}×{w} → {f}, {kh}×{kw} s{s} p{p} {dtype.Name()}";
                var gen = new Generator((ulong)(n * 1000 + c * 100 + h + w + f));
                int oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1;
                using var scope = Tensor.Scope();
                var x = Tensor.Randn([n, c, h, w], dtype, generator: gen);
                var w2 = Tensor.Randn([f, c * kh * kw], dtype, generator: gen);
                var g = Tensor.Randn([n, f, oh, ow], dtype, generator: gen);
                var (dx, dw) = ReferenceBackward(x, w2, g, kh, kw, s, p);
                var gotDx = Tensor.Full(dx.Shape, double.NaN, dtype);
                var gotDw = Tensor.Full(dw.Shape, double.NaN, dtype);
                B.Conv2dImplicitBackward(g, x, w2, kh, kw, s, p, gotDx, gotDw);
                double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
                TensorAssert.Close(gotDx, dx, tol, what + ": dx");
                TensorAssert.Close(gotDw, dw, tol, what + ": dW");
                var oneDx = Tensor.Full(dx.Shape, double.NaN, dtype);
                var oneDw = Tensor.Full(dw.Shape, double.NaN, dtype);
                B.Conv2dImplicitBackward(g, x, w2, kh, kw, s, p, oneDx, null, maxThreads: 1);
                B.Conv2dImplicitBackward(g, x, w2, kh, kw, s, p, null, oneDw, maxThreads: 1);
                Assert.That(oneDx.ToDoubleArray(), Is.EqualTo(gotDx.ToDoubleArray()), what + ": dx alone, 1 thread vs all");
                Assert.That(oneDw.ToDoubleArray(), Is.EqualTo(gotDw.ToDoubleArray()), what + ": dW alone, 1 thread vs all");
            }
    }
}
