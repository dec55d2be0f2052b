using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// The implicit conv's fused ReLU output pass (Conv2dImplicit with relu, used by F.Conv2dRelu for inference):
/// on random geometries it equals the same conv followed by the Relu op bit for bit, and CpuReference's conv then
/// max(0, ·) within float rounding; 1 thread gives the same bits as all. F.Conv2dRelu's other paths (fewer than
/// 32 filters, dilation, groups, a gradient being recorded) equal Relu(Conv2d) exactly, gradients included.
/// </summary>
public class ConvReluFusionTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;
    private static readonly CpuReference R = CpuReference.Instance;

    [Test]
    public void FusedReluEqualsConvThenReluOnRandomGeometries()
    {
        // ResNet-18's small images at batch 8 (positions run on through the batch), padded stride 1 at batch 2
        // (the in-place path where AVX-512 has it), then random geometries; with and without bias.
        var fixedCases = new[] { (8, 16, 7, 7, 40, 3, 3, 1, 1), (2, 8, 12, 12, 32, 3, 3, 1, 1), (2, 8, 9, 9, 36, 1, 1, 2, 0), (1, 0, 4, 4, 6, 1, 1, 1, 0) };
        foreach (var (n, c, h, w, f, kh, kw, s, p) in fixedCases.Concat(ImplicitConvTests.RandomGeometries(17, 40)))
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (bool withBias in new[] { true, false })
                {
                    string what = $"{n}×{c}×{h}×{w} → {f}, {kh}×{kw} s{s} p{p} {dtype.Name()} bias {withBias}";
                    var gen = new Generator((ulong)(n * 1000 + c * 100 + h + w + 7));
                    using var scope = Tensor.Scope();
                    var x = Tensor.Randn([n, c, h, w], dtype, generator: gen);
                    var w2 = Tensor.Randn([f, c * kh * kw], dtype, generator: gen);
                    var bias = withBias ? Tensor.Randn([f], dtype, generator: gen) : null;
                    var reference = ImplicitConvTests.ReferenceConv(x, w2, bias, kh, kw, s, p);
                    R.Unary(UnaryOp.Relu, reference, reference);
                    var unfused = Tensor.Full(reference.Shape, double.NaN, dtype);
                    B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, unfused);
                    B.Unary(UnaryOp.Relu, unfused, unfused);
                    var fused = Tensor.Full(reference.Shape, double.NaN, dtype);
                    B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, fused, relu: true);
                    Assert.That(fused.ToDoubleArray(), Is.EqualTo(unfused.ToDoubleArray()), what + ": fused vs conv then Relu");
                    TensorAssert.Close(fused, reference, dtype == DType.Float32 ? 1e-5 : 1e-12, what + ": vs CpuReference");
                    var one = Tensor.Full(reference.Shape, double.NaN, dtype);
                    B.Conv2dImplicit(x, w2, bias, kh, kw, s, p, one, maxThreads: 1, relu: true);
                    Assert.That(one.ToDoubleArray(), Is.EqualTo(fused.ToDoubleArray()), what + ": 1 thread vs all");
                    Assert.That(fused.ToDoubleArray().Min(), Is.GreaterThanOrEqualTo(0), what + ": no negative output");
                }
    }

    [Test]
    public void ReluOfNaNStaysNaNAsTheReluOp()
    {
        var x = Tensor.Randn([2, 4, 6, 6], generator: new Generator(3));
        var w2 = Tensor.Randn([32, 36], generator: new Generator(4));
        var bias = Tensor.Randn([32], generator: new Generator(5));
        var data = x.ToArray<float>();
        data[7] = float.NaN;
        using var xn = Tensor.FromArray(data, x.Shape);
        using var fused = Tensor.Zeros([2, 32, 6, 6]);
        B.Conv2dImplicit(xn, w2, bias, 3, 3, 1, 1, fused, relu: true);
        using var unfused = Tensor.Zeros([2, 32, 6, 6]);
        B.Conv2dImplicit(xn, w2, bias, 3, 3, 1, 1, unfused);
        B.Unary(UnaryOp.Relu, unfused, unfused);
        var f = fused.ToArray<float>();
        Assert.That(f.Count(float.IsNaN), Is.GreaterThan(0), "the NaN input reaches the outputs whose window holds it");
        Assert.That(f, Is.EqualTo(unfused.ToArray<float>()));
    }

    [TestCase(8, 1, 1)]   // fewer filters than the implicit conv takes: im2col path, then Relu in place
    [TestCase(32, 2, 1)]  // dilation
    [TestCase(32, 1, 2)]  // groups
    [TestCase(40, 1, 1)]  // the fused path
    public void Conv2dReluEqualsReluOfConv2d(int f, int dilation, int groups)
    {
        var gen = new Generator((ulong)(f + 10 * dilation + 100 * groups));
        var x = Tensor.Randn([2, 4, 11, 10], generator: gen);
        var w = Tensor.Randn([f, 4 / groups, 3, 3], generator: gen);
        var b = Tensor.Randn([f], generator: gen);
        Tensor expected, got;
        using (Tensor.NoGrad())
        {
            expected = F.Conv2d(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups).Relu();
            got = F.Conv2dRelu(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups);
        }
        Assert.That(got.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), "no gradient");

        // With a gradient the graph is Conv2d then Relu: same values and the same gradients as the unfused ops.
        w.RequiresGrad = true;
        var y = F.Conv2dRelu(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups);
        Assert.That(y.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), "recording");
        y.Sum().Backward();
        var fusedGrad = w.Grad!.ToArray<float>();
        w.Grad = null;
        F.Conv2d(x, w, b, (1, 1), (1, 1), (dilation, dilation), groups).Relu().Sum().Backward();
        Assert.That(fusedGrad, Is.EqualTo(w.Grad!.ToArray<float>()), "dL/dW");
    }

    [TestCase(1)]
    [TestCase(37)]
    [TestCase(100_003)]
    public void AddReluEqualsAddThenRelu(int size)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            using var scope = Tensor.Scope();
            var gen = new Generator((ulong)size);
            var a = Tensor.Randn([size], dtype, generator: gen);
            var b = Tensor.Randn([size], dtype, generator: gen);
            var values = a.ToDoubleArray();
            values[0] = double.NaN;
            if (size > 2) { values[1] = -0.0; values[2] = double.NegativeInfinity; }
            a = Tensor.FromDoubles(values, [size], dtype, a.Device);
            var expected = Tensor.Zeros([size], dtype);
            B.Binary(BinaryOp.Add, a, b, expected);
            B.Unary(UnaryOp.Relu, expected, expected);
            var y = Tensor.Full([size], double.NaN, dtype);
            B.AddRelu(a, b, y);
            Assert.That(y.ToDoubleArray(), Is.EqualTo(expected.ToDoubleArray()), $"{size} {dtype.Name()}");
            B.AddRelu(a, b, a);
            Assert.That(a.ToDoubleArray(), Is.EqualTo(expected.ToDoubleArray()), $"{size} {dtype.Name()}, written over a");
        }
        Assert.Throws<ArgumentException>(() => B.AddRelu(Tensor.Zeros([3]), Tensor.Zeros([4]), Tensor.Zeros([3])));
    }
}
