using Engine.Functional;
using Engine.Scratch;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>
/// DLfS's Convolution, Pooling, Dropout and BatchNormalization layers and SimpleConvNet: forward and
/// backward against the autograd ops and central differences (float64).
/// </summary>
public class ScratchConvLayerTests
{
    private static void AssertClose(Tensor actual, Tensor expected, double tol, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what + " shape");
        var a = actual.ToDoubleArray();
        var e = expected.ToDoubleArray();
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(e[i]).Within(tol * (1 + Math.Abs(e[i]))), $"{what}[{i}]");
    }

    /// <summary>d(Σ layer(x) ⊙ r)/d(t) by central differences, element by element of t (a tensor the layer reads).</summary>
    private static double[] Numeric(Func<Tensor> forward, Tensor t, Tensor r, double eps = 1e-6)
    {
        var data = t.Span<double>();
        var g = new double[data.Length];
        for (int i = 0; i < g.Length; i++)
        {
            double old = data[i];
            data[i] = old + eps;
            double plus = Weighted(forward, r);
            data = t.Span<double>();
            data[i] = old - eps;
            double minus = Weighted(forward, r);
            data = t.Span<double>();
            data[i] = old;
            g[i] = (plus - minus) / (2 * eps);
        }
        return g;
    }

    private static double Weighted(Func<Tensor> forward, Tensor r)
    {
        using var scope = Tensor.Scope();
        return (forward() * r).Sum().Item();
    }

    private static void AssertGrad(Tensor analytic, double[] numeric, string what)
    {
        var a = analytic.ToDoubleArray();
        Assert.That(a, Has.Length.EqualTo(numeric.Length), what);
        for (int i = 0; i < a.Length; i++) Assert.That(a[i], Is.EqualTo(numeric[i]).Within(1e-6 + 1e-5 * Math.Abs(numeric[i])), $"{what}[{i}]");
    }

    [TestCase(1, 0)]
    [TestCase(2, 1)]
    public void ConvolutionMatchesConv2dForwardAndBackward(int stride, int pad)
    {
        var x = GradCheck.Rand([2, 3, 7, 6], seed: 1);
        var w = GradCheck.Rand([4, 3, 3, 3], -1, 1, seed: 2);
        var b = GradCheck.Rand([4], seed: 3);
        var layer = new Convolution(w, b, stride, pad);
        var y = layer.Forward(x);
        var r = Tensor.Rand(y.Shape, 0.5, 1.5, DType.Float64, generator: new Generator(4));
        var dx = layer.Backward(r);

        var (xa, wa, ba) = (x.Clone().RequiresGrad_(), w.Clone().RequiresGrad_(), b.Clone().RequiresGrad_());
        var ya = F.Conv2d(xa, wa, ba, stride, pad);
        AssertClose(y, ya, 1e-12, "Convolution forward");
        (ya * r).Sum().Backward();
        AssertClose(dx, xa.Grad!, 1e-12, "Convolution dx");
        AssertClose(layer.DW!, wa.Grad!, 1e-12, "Convolution dW");
        AssertClose(layer.DB!, ba.Grad!, 1e-12, "Convolution db");
        AssertGrad(dx, Numeric(() => layer.Forward(x), x, r), "Convolution dx vs numeric");
    }

    [Test]
    public void PoolingMatchesMaxPool2dAndRoutesGradientsToTheMaxima()
    {
        var x = GradCheck.Rand([2, 3, 6, 7], seed: 5);
        var layer = new Pooling(2, 2, stride: 2);
        var y = layer.Forward(x);
        var xa = x.Clone().RequiresGrad_();
        var ya = F.MaxPool2d(xa, 2);
        AssertClose(y, ya, 0, "Pooling forward");
        Assert.That(layer.ArgMax!.DType, Is.EqualTo(DType.Int32));
        var r = Tensor.Rand(y.Shape, 0.5, 1.5, DType.Float64, generator: new Generator(6));
        (ya * r).Sum().Backward();
        var dx = layer.Backward(r);
        AssertClose(dx, xa.Grad!, 0, "Pooling backward");
        AssertGrad(dx, Numeric(() => layer.Forward(x), x, r), "Pooling dx vs numeric");

        var overlapping = new Pooling(3, 3, stride: 1, pad: 1);
        var yo = overlapping.Forward(x);
        var ro = Tensor.Rand(yo.Shape, 0.5, 1.5, DType.Float64, generator: new Generator(7));
        AssertGrad(overlapping.Backward(ro), Numeric(() => overlapping.Forward(x), x, ro), "overlapping Pooling dx vs numeric");
    }

    [Test]
    public void DropoutMasksInTrainingAndScalesAtTestTime()
    {
        var x = GradCheck.Rand([50, 40], seed: 8);
        var layer = new Dropout(0.3, new Generator(9));
        var y = layer.Forward(x, trainFlg: true).ToArray<double>();
        var mask = layer.Mask!.ToArray<double>();
        var xs = x.ToArray<double>();
        double kept = mask.Average();
        Assert.That(kept, Is.EqualTo(0.7).Within(0.03));
        for (int i = 0; i < xs.Length; i++) Assert.That(y[i], Is.EqualTo(xs[i] * mask[i]));
        var dout = Tensor.Full(x.Shape, 2, DType.Float64);
        Assert.That(layer.Backward(dout).ToArray<double>(), Is.EqualTo(mask.Select(m => 2 * m).ToArray()));
        var yt = layer.Forward(x, trainFlg: false).ToArray<double>();
        for (int i = 0; i < xs.Length; i++) Assert.That(yt[i], Is.EqualTo(xs[i] * 0.7).Within(1e-15));
        layer.Training = false;
        Assert.That(layer.Forward(x).ToArray<double>(), Is.EqualTo(yt));
    }

    [Test]
    public void BatchNormalizationNormalisesTracksDlfsRunningStatsAndBackpropagates()
    {
        var x = GradCheck.Rand([6, 2, 2, 2], seed: 10);
        int d = 8;
        var gamma = GradCheck.Rand([d], 0.5, 1.5, seed: 11);
        var beta = GradCheck.Rand([d], seed: 12);
        var layer = new BatchNormalization(gamma, beta);
        var y = layer.Forward(x, trainFlg: true);
        Assert.That(y.Shape, Is.EqualTo(x.Shape));

        // DLfS by hand: per feature j of x.reshape(N, -1): μ, σ² (biased), xn = (x − μ)/√(σ² + 1e-6).
        var xs = x.ToArray<double>();
        var ys = y.ToArray<double>();
        var g = gamma.ToArray<double>();
        var bt = beta.ToArray<double>();
        var rm = layer.RunningMean.ToArray<double>();
        var rv = layer.RunningVar.ToArray<double>();
        for (int j = 0; j < d; j++)
        {
            var col = Enumerable.Range(0, 6).Select(i => xs[i * d + j]).ToArray();
            double mu = col.Average(), var = col.Select(v => (v - mu) * (v - mu)).Average();
            for (int i = 0; i < 6; i++)
                Assert.That(ys[i * d + j], Is.EqualTo(g[j] * (col[i] - mu) / Math.Sqrt(var + 1e-6) + bt[j]).Within(1e-12), $"y[{i},{j}]");
            Assert.That(rm[j], Is.EqualTo(0.1 * mu).Within(1e-12), $"running_mean[{j}]");
            Assert.That(rv[j], Is.EqualTo(0.1 * var).Within(1e-10), $"running_var[{j}]");
        }

        var r = Tensor.Rand(x.Shape, 0.5, 1.5, DType.Float64, generator: new Generator(13));
        layer.Forward(x, true);
        var dx = layer.Backward(r);
        var (dg, db) = (layer.DGamma!, layer.DBeta!);
        AssertGrad(dx, Numeric(() => layer.Forward(x, true), x, r), "BatchNormalization dx");
        AssertGrad(dg, Numeric(() => layer.Forward(x, true), gamma, r), "BatchNormalization dgamma");
        AssertGrad(db, Numeric(() => layer.Forward(x, true), beta, r), "BatchNormalization dbeta");

        // Test mode: the running statistics.
        var yt = layer.Forward(x, trainFlg: false).ToArray<double>();
        rm = layer.RunningMean.ToArray<double>();
        rv = layer.RunningVar.ToArray<double>();
        Assert.That(yt[3], Is.EqualTo(g[3] * (xs[3] - rm[3]) / Math.Sqrt(rv[3] + 1e-6) + bt[3]).Within(1e-12));
        Assert.Throws<InvalidOperationException>(() => layer.Backward(r));
    }

    [Test]
    public void SimpleConvNetBackpropagationMatchesNumericalGradient()
    {
        var net = new SimpleConvNet(inputDim: [2, 7, 7], filterNum: 3, filterSize: 3, hiddenSize: 5, outputSize: 4,
            weightInitStd: 0.3, generator: new Generator(14), dtype: DType.Float64);
        Assert.That(net.Params.Keys, Is.EqualTo(new[] { "W1", "b1", "W2", "b2", "W3", "b3" }));
        Assert.That(net.Params["W1"].Shape, Is.EqualTo(new[] { 3, 2, 3, 3 }));
        Assert.That(net.Params["W2"].Shape, Is.EqualTo(new[] { 3 * 2 * 2, 5 }));
        Assert.That(net.Layers.Keys, Is.EqualTo(new[] { "Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2" }));
        net.LastLayer.Delta = 0;
        var x = GradCheck.Rand([3, 2, 7, 7], -1, 1, seed: 15);
        var t = Tensor.FromArray(new[] { 0, 3, 1 });
        var numeric = net.NumericalGradient(x, t);
        var backprop = net.Gradient(x, t);
        foreach (var (key, n) in numeric)
        {
            double diff = (backprop[key] - n).Abs().Max().Item();
            double scale = n.Abs().Max().Item();
            Assert.That(diff, Is.LessThanOrEqualTo(1e-7 + 1e-5 * scale), $"{key}: max |backprop − numerical| {diff} (max |grad| {scale})");
            Assert.That(scale, Is.GreaterThan(1e-4), $"{key}: gradient should not vanish");
        }
        Assert.That(net.Accuracy(x, t), Is.InRange(0.0, 1.0));
    }

    [Test]
    public void LayersRejectBadInput()
    {
        var conv = new Convolution(Tensor.Zeros([4, 3, 3, 3]), Tensor.Zeros([4]));
        var ex = Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros([1, 2, 5, 5])));
        Assert.That(ex!.Message, Does.Contain("Convolution.Forward").And.Contain("2 channels").And.Contain("[4, 3, 3, 3]"));
        ex = Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros([1, 3, 2, 2])));
        Assert.That(ex!.Message, Does.Contain("kernel 3×3").And.Contain("padded input 2×2"));
        Assert.Throws<ArgumentException>(() => new Convolution(Tensor.Zeros([4, 3, 3]), Tensor.Zeros([4])));
        Assert.Throws<ArgumentException>(() => new Convolution(Tensor.Zeros([4, 3, 3, 3]), Tensor.Zeros([3])));
        Assert.Throws<InvalidOperationException>(() => conv.Backward(Tensor.Zeros([1, 4, 1, 1])));
        var pool = new Pooling(2, 2, 2);
        ex = Assert.Throws<ArgumentException>(() => pool.Forward(Tensor.Zeros([4, 4])));
        Assert.That(ex!.Message, Does.Contain("Pooling.Forward").And.Contain("[4, 4]"));
        pool.Forward(Tensor.Zeros([1, 1, 4, 4]));
        ex = Assert.Throws<ArgumentException>(() => pool.Backward(Tensor.Zeros([1, 1, 3, 3])));
        Assert.That(ex!.Message, Does.Contain("Pooling.Backward").And.Contain("[1, 1, 2, 2]").And.Contain("[1, 1, 3, 3]"));
        var bn = new BatchNormalization(Tensor.Ones([3]), Tensor.Zeros([3]));
        ex = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros([4, 5])));
        Assert.That(ex!.Message, Does.Contain("BatchNormalization.Forward").And.Contain("[4, 5]"));
        Assert.Throws<ArgumentException>(() => new SimpleConvNet(inputDim: [1, 3, 3], filterSize: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.0));
    }
}
