using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The CPU's one-pass conv bias gradient (CpuBackend.ConvBiasGrad, db[f] = Σ_{n, oh, ow} dy[n, f, oh, ow]) against
/// CpuReference's three Sum reductions, on shapes with planes shorter, longer and not a multiple of one vector,
/// one and many images, float and double; and F.Conv2d's bias gradient on both conv paths against CpuReference.
/// </summary>
public class ConvBiasGradTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;
    private static readonly CpuReference R = CpuReference.Instance;

    [Test]
    public void BiasGradientMatchesTheReferenceSums()
    {
        int[][] shapes = [[64, 32, 14, 14], [64, 16, 28, 28], [1, 3, 1, 1], [3, 5, 7, 9], [2, 40, 3, 5], [5, 1, 17, 1], [0, 4, 3, 3], [2, 6, 11]];
        var gen = new Generator(7);
        foreach (var shape in shapes)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                using var dy = Tensor.Randn(shape, dtype, generator: gen);
                using var db = Tensor.Full([shape[1]], double.NaN, dtype, Device.Cpu); // every element must be written
                B.ConvBiasGrad(dy, db);
                var v = dy.ToDoubleArray();
                int n = shape[0], f = shape[1], p = v.Length / Math.Max(1, n * f);
                var sums = new double[f];
                for (int i = 0; i < n; i++)
                    for (int c = 0; c < f; c++)
                        for (int q = 0; q < p; q++) sums[c] += v[(i * f + c) * p + q];
                using var reference = ReferenceSum(dy);
                string what = $"ConvBiasGrad {Tensor.ShapeString(shape)} {dtype.Name()}";
                double tol = dtype == DType.Float32 ? 1e-4 : 1e-12;
                var got = db.ToDoubleArray();
                var refs = reference.ToDoubleArray();
                for (int c = 0; c < f; c++)
                {
                    double scale = 1 + Math.Sqrt(n * p);
                    Assert.That(got[c], Is.EqualTo(sums[c]).Within(tol * scale), what + $" channel {c}");
                    Assert.That(got[c], Is.EqualTo(refs[c]).Within(tol * scale), what + $" channel {c} vs CpuReference");
                }
            }
    }

    /// <summary>Σ over every axis but 1, by CpuReference's Reduce (the op table's composition).</summary>
    private static Tensor ReferenceSum(Tensor dy)
    {
        var t = dy;
        for (int axis = dy.Rank - 1; axis >= 2; axis--)
        {
            var shape = t.Shape.Take(axis).ToArray();
            var next = Tensor.Zeros(shape, dy.DType);
            R.Reduce(ReduceOp.Sum, t, axis, next);
            if (!ReferenceEquals(t, dy)) t.Dispose();
            t = next;
        }
        var db = Tensor.Zeros([dy.Dim(1)], dy.DType);
        R.Reduce(ReduceOp.Sum, t, 0, db);
        if (!ReferenceEquals(t, dy)) t.Dispose();
        return db;
    }

    [Test]
    public void Conv2dBiasGradientIsTheUpstreamSumOnBothPaths()
    {
        // 8 filters take the image-by-image im2col path, 40 the implicit GEMM (CpuBackend.ImplicitMinFilters);
        // for L = Σ conv2d(x, w, b) · u, ∂L/∂b[f] = Σ u[·, f, ·, ·].
        foreach (int f in new[] { 8, CpuBackend.ImplicitMinFilters + 8 })
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            {
                var gen = new Generator(3);
                using var x = Tensor.Randn([3, 4, 9, 10], dtype, generator: gen);
                using var w = Tensor.Randn([f, 4, 3, 3], dtype, generator: gen);
                using var b = Tensor.Randn([f], dtype, generator: gen);
                using var u = Tensor.Randn([3, f, 9, 10], dtype, generator: gen);
                b.RequiresGrad = true;
                using (var scope = Tensor.Scope()) (F.Conv2d(x, w, b, 1, 1) * u).Sum().Backward();
                using var expected = ReferenceSum(u);
                TensorAssert.Close(b.Grad!, expected, dtype == DType.Float32 ? 1e-5 : 1e-12, $"Conv2d bias gradient, {f} filters, {dtype.Name()}");
            }
    }

    [Test]
    public void SixteenFilterConvWithoutInputGradientTakesTheImplicitPathWithTheSameGradients()
    {
        // 16 filters: the implicit GEMM when x needs no gradient, the image-by-image im2col path when it does.
        Assert.That(F.ConvTakesImplicit(16, needsDx: false), Is.True);
        Assert.That(F.ConvTakesImplicit(16, needsDx: true), Is.False);
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
            foreach (var (n, h, w, pad) in new[] { (3, 28, 28, 2), (2, 9, 13, 0), (1, 7, 6, 1) })
            {
                var gen = new Generator(11);
                using var x = Tensor.Randn([n, 1, h, w], dtype, generator: gen);
                using var weight = Tensor.Randn([16, 1, 5, 5], dtype, generator: gen);
                using var bias = Tensor.Randn([16], dtype, generator: gen);
                int oh = h + 2 * pad - 4, ow = w + 2 * pad - 4;
                using var u = Tensor.Randn([n, 16, oh, ow], dtype, generator: gen);
                (double[] Y, double[] Dw, double[] Db) Run(bool inputGrad)
                {
                    using var xd = x.Clone();
                    xd.RequiresGrad = inputGrad;
                    using var wd = weight.Clone();
                    using var bd = bias.Clone();
                    wd.RequiresGrad = bd.RequiresGrad = true;
                    using var scope = Tensor.Scope();
                    var y = F.Conv2d(xd, wd, bd, 1, pad);
                    (y * u).Sum().Backward();
                    return (y.ToDoubleArray(), wd.Grad!.ToDoubleArray(), bd.Grad!.ToDoubleArray());
                }
                var (yi, dwi, dbi) = Run(inputGrad: false);
                var (ye, dwe, dbe) = Run(inputGrad: true);
                double tol = dtype == DType.Float32 ? 1e-4 : 1e-11;
                string what = $"16 filters on {n}×1×{h}×{w} pad {pad} {dtype.Name()}";
                Assert.That(yi, Is.EqualTo(ye).Within(tol), what + ": y");
                double dwScale = Math.Max(1, dwe.Max(Math.Abs)), dbScale = Math.Max(1, dbe.Max(Math.Abs));
                Assert.That(dwi, Is.EqualTo(dwe).Within(tol * dwScale), what + ": dW");
                Assert.That(dbi, Is.EqualTo(dbe).Within(tol * dbScale), what + ": db");
            }
    }
}
