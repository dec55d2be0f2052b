using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The CPU fast paths behind the conv layers against plain index loops written here: Permute's
/// batched-transpose path (NHWC ↔ NCHW and friends), MaxPool2d's unpadded and 2×2/stride-2 paths,
/// Conv2d forward and backward on uninitialised (recycled, NaN-poisoned) buffers, and the CPU's
/// image-by-image Conv2dForward/Conv2dBackward against the op-table composition other devices run.
/// </summary>
public class ConvFastPathTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;

    /// <summary>y[i_0..i_r] = x at index (i_{perm⁻¹}…), computed one element at a time from strides.</summary>
    private static double[] PermuteLoop(double[] x, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var stride = new int[rank];
        for (int d = rank - 1, s = 1; d >= 0; d--) { stride[d] = s; s *= shape[d]; }
        var yShape = perm.Select(p => shape[p]).ToArray();
        var y = new double[x.Length];
        var idx = new int[rank];
        for (int n = 0; n < y.Length; n++)
        {
            int rest = n, off = 0;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rest % yShape[d]; rest /= yShape[d]; }
            for (int d = 0; d < rank; d++) off += idx[d] * stride[perm[d]];
            y[n] = x[off];
        }
        return y;
    }

    private static readonly (int[] Shape, int[] Perm)[] Perms =
    [
        ([64, 28, 28, 16], [0, 3, 1, 2]), ([64, 16, 28, 28], [0, 2, 3, 1]), ([3, 5, 7, 2], [0, 3, 1, 2]),
        ([400, 32], [1, 0]), ([33, 70], [1, 0]), ([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [1, 2, 0]),
        ([5, 1, 7, 3], [0, 3, 2, 1]), ([1, 9, 1, 4], [3, 2, 1, 0]), ([3, 4, 5], [1, 0, 2]), ([2, 3, 4, 5], [3, 1, 2, 0]),
        ([4, 5], [0, 1]), ([1, 1], [1, 0]), ([0, 3], [1, 0]), ([37, 1, 41], [2, 1, 0]),
        ([6, 5, 7, 1], [0, 3, 1, 2]), ([6, 1, 5, 7], [0, 2, 3, 1]), // one-channel NHWC ↔ NCHW: only size-1 axes move
    ];

    [Test]
    public void PermuteMatchesIndexLoopForEveryDType()
    {
        var rng = new Random(3);
        foreach (var (shape, perm) in Perms)
            foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64 })
            {
                var v = Enumerable.Range(0, (int)Tensor.SizeOf(shape)).Select(_ => (double)rng.Next(-1000, 1000)).ToArray();
                using var x = Tensor.FromDoubles(v, shape, dtype, null);
                using var y = Tensor.Empty(perm.Select(p => shape[p]).ToArray(), dtype, Device.Cpu);
                B.Permute(x, perm, y);
                Assert.That(y.ToDoubleArray(), Is.EqualTo(PermuteLoop(v, shape, perm)),
                    $"Permute {Tensor.ShapeString(shape)} by [{string.Join(", ", perm)}] {dtype.Name()}");
            }
    }

    [Test]
    public void Im2ColMatchesTheIndexLoopForEveryWindowWidth()
    {
        // Float windows up to 8 wide copy each window row as one vector (its extra lanes overwritten by the next
        // window row; the last one, and a read past x's end, element by element); NaN-poisoned output first.
        foreach (int kw in new[] { 1, 2, 3, 5, 7, 8, 9 })
            foreach (var (c, h, w, stride, pad) in new[] { (1, 9, 11, 1, 0), (3, 8, 10, 1, 1), (2, 9, 12, 2, 0), (8, 12, 12, 1, 0) })
                foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                {
                    if (w + 2 * pad < kw || h + 2 * pad < 3) continue;
                    var win = new Engine.Kernels.Checks.OpCases.Window(2, c, h, w, 3, kw, stride, pad);
                    using var x = Tensor.Randn(win.X, dtype, generator: new Generator(12));
                    using var cols = Tensor.Full(win.Cols, double.NaN, dtype);
                    B.Im2Col(x, 3, kw, stride, pad, cols);
                    Assert.That(cols.ToDoubleArray(), Is.EqualTo(Engine.Kernels.Checks.OpCases.Im2ColRef(x.ToDoubleArray(), win)),
                        $"Im2Col {Tensor.ShapeString(win.X)} 3×{kw}/{stride} pad {pad} {dtype.Name()}");
                }
    }

    [Test]
    public void AnOrderThatMovesOnlySize1AxesIsACopy()
    {
        Assert.That(CpuBackend.KeepsOrder([64, 28, 28, 1], [0, 3, 1, 2]), Is.True, "NHWC → NCHW of one channel");
        Assert.That(CpuBackend.KeepsOrder([2, 3, 4], [0, 1, 2]), Is.True, "identity");
        Assert.That(CpuBackend.KeepsOrder([1, 3, 1, 4], [2, 1, 0, 3]), Is.True);
        Assert.That(CpuBackend.KeepsOrder([64, 28, 28, 2], [0, 3, 1, 2]), Is.False);
        Assert.That(CpuBackend.KeepsOrder([2, 3, 4], [0, 2, 1]), Is.False);
    }

    [Test]
    public void BatchedTransposeIsRecognisedOnlyWhereItApplies()
    {
        Assert.That(CpuBackend.AsBatchedTranspose([64, 28, 28, 16], [0, 3, 1, 2]), Is.EqualTo((64, 784, 16)), "NHWC → NCHW");
        Assert.That(CpuBackend.AsBatchedTranspose([64, 16, 28, 28], [0, 2, 3, 1]), Is.EqualTo((64, 16, 784)), "NCHW → NHWC");
        Assert.That(CpuBackend.AsBatchedTranspose([400, 32], [1, 0]), Is.EqualTo((1, 400, 32)));
        Assert.That(CpuBackend.AsBatchedTranspose([2, 1, 3], [1, 2, 0]), Is.EqualTo((1, 2, 3)), "size-1 axes are dropped");
        Assert.That(CpuBackend.AsBatchedTranspose([2, 3, 4], [0, 1, 2]), Is.Null, "identity");
        Assert.That(CpuBackend.AsBatchedTranspose([2, 3, 4], [2, 1, 0]), Is.Null, "a full reversal is no batched transpose");
        Assert.That(CpuBackend.AsBatchedTranspose([2, 3, 4], [1, 0, 2]), Is.Null, "swapping outer axes keeps rows contiguous: generic path");
    }

    /// <summary>Max pooling by definition: the first maximum in row-major window order, padding skipped.</summary>
    private static (double[] Y, int[] Arg) MaxPoolLoop(double[] x, int n, int c, int h, int w, int k, int s, int p)
    {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        var y = new double[n * c * oh * ow];
        var arg = new int[y.Length];
        for (int pl = 0; pl < n * c; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double best = double.NegativeInfinity;
                    int at = -1;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                        {
                            int hh = i * s - p + a, ww = j * s - p + b;
                            if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
                            double v = x[pl * h * w + hh * w + ww];
                            if (at < 0 || v > best || (double.IsNaN(v) && !double.IsNaN(best))) { best = v; at = hh * w + ww; } // PyTorch: the first NaN wins
                        }
                    y[(pl * oh + i) * ow + j] = best;
                    arg[(pl * oh + i) * ow + j] = at;
                }
        return (y, arg);
    }

    [Test]
    public void MaxPoolFastPathsMatchTheDefinitionWithTies()
    {
        var rng = new Random(4);
        // (N, C, H, W, kernel, stride, pad): 2×2/2 on even and odd sizes, other unpadded windows, padded ones.
        var cases = new[] { (64, 16, 28, 28, 2, 2, 0), (2, 3, 7, 9, 2, 2, 0), (2, 2, 16, 16, 2, 2, 0), (3, 2, 5, 17, 2, 2, 0), (2, 2, 6, 35, 2, 2, 0), (1, 1, 4, 66, 2, 2, 0), (64, 32, 14, 14, 2, 2, 0), (2, 3, 15, 15, 2, 2, 0), (3, 2, 2, 2, 2, 2, 0), (2, 2, 3, 13, 2, 2, 0), (1, 3, 9, 5, 2, 2, 0), (3, 2, 8, 6, 3, 2, 0), (2, 2, 9, 9, 3, 3, 0), (2, 3, 6, 7, 2, 1, 0), (2, 2, 7, 7, 3, 2, 1), (2, 3, 16, 15, 3, 2, 1), (1, 2, 9, 8, 3, 1, 1), (1, 1, 2, 3, 3, 2, 1), (1, 2, 5, 6, 2, 2, 1), (2, 3, 40, 37, 3, 2, 1), (1, 2, 112, 112, 3, 2, 1), (1, 2, 33, 34, 3, 2, 1) };
        foreach (var (n, c, h, w, k, s, p) in cases)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                // Few distinct values, so windows hold ties: the first maximum must win.
                var v = Enumerable.Range(0, n * c * h * w).Select(_ => (double)rng.Next(-3, 4)).ToArray();
                for (int i = 0; i < v.Length; i += 13) v[i] = double.NaN; // a NaN beats any number (PyTorch's max pooling)
                using var x = Tensor.FromDoubles(v, [n, c, h, w], dtype, null);
                var (ey, earg) = MaxPoolLoop(v, n, c, h, w, k, s, p);
                int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
                using var y = Tensor.Empty([n, c, oh, ow], dtype, Device.Cpu);
                using var arg = Tensor.Empty([n, c, oh, ow], DType.Int32, Device.Cpu);
                B.MaxPool2d(x, k, k, s, p, y, arg);
                string what = $"MaxPool2d {n}×{c}×{h}×{w} k{k} s{s} p{p} {dtype.Name()}";
                Assert.That(y.ToDoubleArray(), Is.EqualTo(ey), what);
                Assert.That(arg.ToArray<int>(), Is.EqualTo(earg), what + " argmax");
            }
    }

    /// <summary>MaxPool2d(Conv2d(x)) forward and gradients on a fixed input, as flat arrays.</summary>
    private static double[][] ConvRun(int n, int c, int h, int w, int f, int k, int stride, int pad)
    {
        var g = new Generator(7);
        using var scope = Tensor.Scope();
        var x = Tensor.Randn([n, c, h, w], generator: g, requiresGrad: true);
        var wt = Tensor.Randn([f, c, k, k], generator: g, requiresGrad: true);
        var b = Tensor.Randn([f], generator: g, requiresGrad: true);
        var y = F.MaxPool2d(F.Conv2d(x, wt, b, stride, pad), 2);
        var r = Tensor.Randn(y.Shape, generator: g);
        (y * r).Sum().Backward();
        return [y.ToDoubleArray(), x.Grad!.ToDoubleArray(), wt.Grad!.ToDoubleArray(), b.Grad!.ToDoubleArray()];
    }

    [Test]
    public void ConvAndPoolIgnoreWhatRecycledBuffersHeld()
    {
        // (N, C, H, W, F, kernel, stride, pad): the 20.4.2 conv2 shape (buffers ≥ 64 KiB go through the pool), odd ones.
        var cases = new[] { (64, 16, 14, 14, 32, 5, 1, 2), (5, 3, 11, 9, 7, 3, 2, 1), (3, 2, 31, 33, 130, 4, 3, 0) };
        foreach (var (n, c, h, w, f, k, s, p) in cases)
        {
            var clean = ConvRun(n, c, h, w, f, k, s, p);
            // Fill pool-sized arrays of every length the layer allocates with NaN and free them, so the
            // next run's uninitialised buffers start as NaN: any element an op fails to write shows up.
            int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
            int[][] sizes = [[n * oh * ow, c * k * k], [n * oh * ow, f], [n, f, oh, ow], [n, c, h, w], [c * k * k, f]];
            var poison = sizes.SelectMany(sz => Enumerable.Range(0, 3).Select(_ => Tensor.Full(sz, double.NaN))).ToList();
            poison.AddRange(Enumerable.Range(0, 3).Select(_ => Tensor.Full([n, f, oh / 2, ow / 2], double.NaN))); // pooled y
            poison.AddRange(Enumerable.Range(0, 3).Select(_ => Tensor.Full([n, f, oh / 2, ow / 2], -7, DType.Int32))); // argmax
            poison.ForEach(t => t.Dispose());
            var again = ConvRun(n, c, h, w, f, k, s, p);
            string[] names = ["y", "dx", "dw", "db"];
            for (int i = 0; i < clean.Length; i++)
                Assert.That(again[i], Is.EqualTo(clean[i]), $"Conv2d {n}×{c}×{h}×{w} → {f}, k{k} s{s} p{p}: {names[i]} changed after recycling NaN buffers");
        }
    }

    [Test]
    public void ImageByImageConvMatchesTheOpTableComposition()
    {
        // (N, C, H, W, F, KH, KW, stride, pad): 20.4.2's two convs, odd batches (uneven thread ranges),
        // strides, padding, non-square windows, one image, a window as large as the padded input.
        var cases = new[]
        {
            (64, 16, 14, 14, 32, 5, 5, 1, 2), (64, 1, 28, 28, 16, 5, 5, 1, 2), (3, 2, 9, 7, 5, 3, 3, 2, 1),
            (5, 3, 8, 11, 4, 2, 3, 1, 0), (1, 4, 6, 6, 3, 3, 3, 3, 1), (7, 2, 5, 5, 2, 5, 5, 1, 0), (2, 1, 4, 4, 1, 1, 1, 1, 0),
            (1, 16, 20, 18, 40, 3, 3, 1, 1), // one image, large enough that its im2col and GEMM use every thread
            (3, 128, 4, 4, 300, 3, 3, 1, 1), // small images, weights over 1 MiB: one whole-batch GEMM
        };
        foreach (var (n, c, h, w, f, kh, kw, s, p) in cases)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                string what = $"{n}×{c}×{h}×{w} → {f}, {kh}×{kw} s{s} p{p} {dtype.Name()}";
                double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
                var gen = new Generator(11);
                int oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1, m = n * oh * ow, k = c * kh * kw;
                using var scope = Tensor.Scope();
                var x = Tensor.Randn([n, c, h, w], dtype, generator: gen);
                var w2 = Tensor.Randn([f, k], dtype, generator: gen);
                var g2 = Tensor.Randn([m, f], dtype, generator: gen);

                var cols = Tensor.Zeros([m, k], dtype);
                var y2 = Tensor.Zeros([m, f], dtype);
                B.Im2Col(x, kh, kw, s, p, cols);
                B.MatMul(cols, w2, y2, transB: true);
                var dcols = Tensor.Zeros([m, k], dtype);
                B.MatMul(g2, w2, dcols);
                var dx = Tensor.Zeros([n, c, h, w], dtype);
                B.Col2Im(dcols, kh, kw, s, p, dx);
                var dwT = Tensor.Zeros([k, f], dtype);
                B.MatMul(cols, g2, dwT, transA: true);

                var fCols = Tensor.Full([m, k], double.NaN, dtype);
                var fY2 = Tensor.Full([m, f], double.NaN, dtype);
                B.Conv2dForward(x, w2, kh, kw, s, p, fCols, fY2);
                Assert.That(fCols.ToDoubleArray(), Is.EqualTo(cols.ToDoubleArray()), what + ": cols");
                TensorAssert.Close(fY2, y2, tol, what + ": y");
                var noColsY2 = Tensor.Full([m, f], double.NaN, dtype);
                B.Conv2dForward(x, w2, kh, kw, s, p, null, noColsY2); // no backward: im2col blocks in scratch arrays
                Assert.That(noColsY2.ToDoubleArray(), Is.EqualTo(fY2.ToDoubleArray()), what + ": y without kept cols");
                var fDx = Tensor.Full([n, c, h, w], double.NaN, dtype);
                var fDwT = Tensor.Full([k, f], double.NaN, dtype);
                B.Conv2dBackward(g2, w2, fCols, kh, kw, s, p, [n, c, h, w], fDx, fDwT);
                TensorAssert.Close(fDx, dx, tol, what + ": dx");
                TensorAssert.Close(fDwT, dwT, tol, what + ": dWᵀ");
                // Only one of the two gradients, as when x or the weight needs none.
                var onlyDx = Tensor.Full([n, c, h, w], double.NaN, dtype);
                B.Conv2dBackward(g2, w2, fCols, kh, kw, s, p, [n, c, h, w], onlyDx, null);
                Assert.That(onlyDx.ToDoubleArray(), Is.EqualTo(fDx.ToDoubleArray()), what + ": dx alone");
                var onlyDw = Tensor.Full([k, f], double.NaN, dtype);
                B.Conv2dBackward(g2, w2, fCols, kh, kw, s, p, [n, c, h, w], null, onlyDw);
                Assert.That(onlyDw.ToDoubleArray(), Is.EqualTo(fDwT.ToDoubleArray()), what + ": dWᵀ alone, same sums run to run");
            }
    }

    [Test]
    public void ConvOutputPassMatchesAddThenPermute()
    {
        var gen = new Generator(12);
        // (N, OH, OW, F): a ResNet-sized plane (several position blocks), odd sizes, one channel, one position.
        foreach (var (n, oh, ow, f) in new[] { (2, 28, 28, 64), (3, 5, 7, 130), (1, 9, 9, 1), (4, 1, 1, 3) })
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (bool withBias in new[] { true, false })
                {
                    using var scope = Tensor.Scope();
                    var y2 = Tensor.Randn([n * oh * ow, f], dtype, generator: gen);
                    var bias = withBias ? Tensor.Randn([f], dtype, generator: gen) : null;
                    var expected = Tensor.Zeros([n, f, oh, ow], dtype);
                    var sum = Tensor.Zeros([n * oh * ow, f], dtype);
                    if (bias is null) B.Permute(y2.Reshape(n, oh, ow, f), [0, 3, 1, 2], expected);
                    else
                    {
                        B.Binary(BinaryOp.Add, y2, bias, sum);
                        B.Permute(sum.Reshape(n, oh, ow, f), [0, 3, 1, 2], expected);
                    }
                    var y = Tensor.Full([n, f, oh, ow], double.NaN, dtype);
                    B.Conv2dOutput(y2, bias, y);
                    Assert.That(y.ToDoubleArray(), Is.EqualTo(expected.ToDoubleArray()), $"{n}×{oh}×{ow}×{f} {dtype.Name()} bias {withBias}");
                }
    }
}
