using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The implicit conv's residual output pass (Conv2dImplicit with a residual, used by F.Conv2dAddRelu for an inference
/// Conv → Add (→ Relu)): on every forward path (gathered, batched positions, B in place at stride 1 and from phase
/// planes at stride 2, K = 0) it equals the conv, then the Add op, then the Relu op, bit for bit, on 1 thread and all,
/// with and without bias and ReLU; F.Conv2dAddRelu's other paths equal the separate ops, gradients included.
/// </summary>
public class ConvResidualFusionTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;

    [Test]
    public void ResidualPassEqualsConvThenAddThenRelu()
    {
        // Batched 7×7 positions, padded stride 1 and 7×7/2 and 3×3/2 at batch 2 (in place where AVX-512 has it), ragged
        // filters, two K slices, no input channels, then random geometries.
        var fixedCases = new[]
        {
            (8, 16, 7, 7, 40, 3, 3, 1, 1), (2, 8, 12, 30, 37, 3, 3, 1, 1), (2, 3, 13, 75, 19, 7, 7, 2, 3), (3, 4, 10, 50, 33, 3, 3, 2, 1),
            (2, 130, 3, 24, 9, 3, 3, 1, 1), (2, 4, 8, 56, 9, 1, 1, 2, 0), (1, 0, 4, 4, 6, 1, 1, 1, 0),
        };
        foreach (var (n, c, h, w, f, kh, kw, s, p) in fixedCases.Concat(ImplicitConvTests.RandomGeometries(23, 30)))
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (bool withBias in new[] { true, false })
                    foreach (bool relu in new[] { true, false })
                    {
                        string what = $"{n}×{c}×{h}×{w} → {f}, {kh}×{kw} s{s} p{p} {dtype.Name()} bias {withBias} relu {relu}";
                        var gen = new Generator((ulong)(n * 1000 + c * 100 + h + w + 11));
                        using var scope = Tensor.Scope();
                        var x = Tensor.Randn([n, c, h, w], dtype, generator: gen);
                        var w2 = Tensor.Randn([f, c * kh * kw], dtype, generator: gen);
                        var bias = withBias ? Tensor.Randn([f], dtype, generator: gen) : null;
                        int oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1;
                        var residual = Tensor.Randn([n, f, oh, ow], dtype, generator: gen);
                        var expected = Tensor.Full([n, f, oh, ow], double.NaN, dtype);
                        B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, expected);
                        B.Binary(BinaryOp.Add, expected, residual, expected);
                        if (relu) B.Unary(UnaryOp.Relu, expected, expected);
                        var fused = Tensor.Full(expected.Shape, double.NaN, dtype);
                        B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, fused, relu: relu, residual: residual);
                        Assert.That(fused.ToDoubleArray(), Is.EqualTo(expected.ToDoubleArray()), what + ": fused vs conv, Add, Relu");
                        var one = Tensor.Full(expected.Shape, double.NaN, dtype);
                        B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, one, maxThreads: 1, relu: relu, residual: residual);
                        Assert.That(one.ToDoubleArray(), Is.EqualTo(fused.ToDoubleArray()), what + ": 1 thread vs all");
                    }
    }

    [Test]
    public void ABadResidualIsRejected()
    {
        var x = Tensor.Randn([2, 4, 6, 6], generator: new Generator(3));
        var w2 = Tensor.Randn([32, 36], generator: new Generator(4));
        var y = Tensor.Zeros([2, 32, 6, 6]);
        var ex = Assert.Throws<ArgumentException>(() => B.Conv2dImplicit(x, w2, null, 3, 3, 1, 1, y, residual: Tensor.Zeros([2, 32, 6, 5])));
        Assert.That(ex!.Message, Does.Contain("Conv2d").And.Contain("residual"));
        Assert.Throws<ArgumentException>(() => B.Conv2dImplicit(x, w2, null, 3, 3, 1, 1, y, residual: Tensor.Zeros([2, 32, 6, 6], DType.Float64)));
        Assert.Throws<ArgumentException>(() => B.Conv2dImplicit(x, w2, null, 3, 3, 1, 1, y, residual: y), "the residual may not be y itself");
    }

    [TestCase(8, 1, 1, false)]   // fewer filters than the implicit conv takes: im2col path, then Add and Relu
    [TestCase(32, 2, 1, false)]  // dilation
    [TestCase(32, 1, 2, false)]  // groups
    [TestCase(40, 1, 1, false)]  // the fused path
    [TestCase(40, 1, 1, true)]   // a residual that broadcasts: Add after the conv
    public void Conv2dAddReluEqualsTheSeparateOps(int f, int dilation, int groups, bool broadcast)
    {
        var gen = new Generator((ulong)(f + 10 * dilation + 100 * groups));
        var x = Tensor.Randn([2, 4, 11, 10], generator: gen);
        var w = Tensor.Randn([f, 4 / groups, 3, 3], generator: gen);
        var b = Tensor.Randn([f], generator: gen);
        int[] yShape;
        using (Tensor.NoGrad()) yShape = F.Conv2d(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups).Shape;
        var residual = Tensor.Randn(broadcast ? [f, 1, 1] : yShape, generator: gen);
        foreach (bool relu in new[] { true, false })
        {
            Tensor expected, got;
            using (Tensor.NoGrad())
            {
                var sum = F.Conv2d(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups) + residual;
                expected = relu ? sum.Relu() : sum;
                got = F.Conv2dAddRelu(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups, residual, relu);
            }
            Assert.That(got.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), $"no gradient, relu {relu}");

            // With a gradient the graph is Conv2d, Add, Relu: the same values and gradients as the separate ops.
            w.RequiresGrad = true;
            residual.RequiresGrad = true;
            var y = F.Conv2dAddRelu(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups, residual, relu);
            Assert.That(y.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), $"recording, relu {relu}");
            y.Sum().Backward();
            var (fusedW, fusedR) = (w.Grad!.ToArray<float>(), residual.Grad!.ToArray<float>());
            (w.Grad, residual.Grad) = (null, null);
            var plain = F.Conv2d(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups) + residual;
            (relu ? plain.Relu() : plain).Sum().Backward();
            Assert.That(fusedW, Is.EqualTo(w.Grad!.ToArray<float>()), "dL/dW");
            Assert.That(fusedR, Is.EqualTo(residual.Grad!.ToArray<float>()), "dL/dresidual");
            (w.Grad, residual.Grad, w.RequiresGrad, residual.RequiresGrad) = (null, null, false, false);
        }
    }
}
