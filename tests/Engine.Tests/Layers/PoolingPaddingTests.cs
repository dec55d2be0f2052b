using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>
/// Keras's padding "same" and unequal strides and window sizes for MaxPooling2D, AveragePooling2D and Conv2D:
/// shapes, Summary rows, values against plain loops written from TensorFlow's rule (out = ⌈n/s⌉, pad
/// max((out − 1)·s + k − n, 0) split with the odd cell after; max ignores the pad, average divides by the
/// input cells covered, convolution pads zeros), input gradients against central differences.
/// </summary>
public class PoolingPaddingTests
{
    // (height, width, pool or kernel size, strides) — odd and even windows, strides larger than the window.
    private static readonly (int H, int W, IntPair K, IntPair S)[] Geometries =
    [
        (7, 5, (3, 3), (2, 1)), (6, 6, (2, 2), (1, 1)), (5, 8, (2, 3), (3, 2)), (4, 7, (1, 2), (2, 3)), (3, 3, (3, 3), (1, 1)),
    ];

    [Test]
    public void ShapesAndSummaryRowsAreKeras()
    {
        var m = new Sequential();
        m.Add(new MaxPooling2D((3, 3), strides: (2, 1), padding: "same", inputShape: [7, 5, 2]));
        m.Add(new AveragePooling2D((2, 3), strides: (3, 2), padding: "SAME"));
        m.Add(new Conv2D(4, (2, 2), strides: (1, 2), padding: "same"));
        m.Add(new MaxPooling2D((2, 2), strides: (2, 1)));
        m.Add(new Conv2D(3, 1, strides: (1, 2)));
        Assert.That(m.Layers.Select(l => Layer.ShapeText(l.OutputShape)), Is.EqualTo(new[]
        {
            "(None, 4, 5, 2)", "(None, 2, 3, 2)", "(None, 2, 2, 4)", "(None, 1, 1, 4)", "(None, 1, 1, 3)",
        }));
        string text = m.Summary(printFn: _ => { });
        static string R(string a, string b, string c) => a.PadRight(28) + " " + b.PadRight(25) + " " + c.PadRight(10);
        Assert.That(text, Does.Contain(R("max_pooling2d_1 (MaxPooling2", "(None, 4, 5, 2)", "0") + "\n"));
        Assert.That(text, Does.Contain(R("average_pooling2d_1 (Average", "(None, 2, 3, 2)", "0") + "\n"));
        Assert.That(text, Does.Contain(R("conv2d_1 (Conv2D)", "(None, 2, 2, 4)", "36") + "\n"));
        Assert.That(text, Does.Contain(R("conv2d_2 (Conv2D)", "(None, 1, 1, 3)", "15") + "\n"));
    }

    [Test]
    public void ValidWindowLargerThanTheInputNamesTheLayers()
    {
        var m = new Sequential();
        m.Add(new Conv2D(2, 3, inputShape: [4, 4, 1]));
        var ex = Assert.Throws<ArgumentException>(() => m.Add(new AveragePooling2D((3, 1))));
        Assert.That(ex!.Message, Does.Contain("average_pooling2d_1 (AveragePooling2D)").And.Contain("(None, 2, 2, 2)").And.Contain("height"));
        Assert.Throws<ArgumentException>(() => new MaxPooling2D(2, padding: "full"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling2D(2, strides: (1, 0)));
    }

    [TestCase("valid"), TestCase("same")]
    public void MaxAndAverageMatchTensorFlowsRule(string padding)
    {
        foreach (var (h, w, k, s) in Geometries)
        {
            if (padding == "valid" && (h < k.H || w < k.W)) continue;
            var x = Tensor.Rand([2, h, w, 3], -1, 1, DType.Float64, generator: new Generator((ulong)(h * 10 + w)));
            foreach (bool max in new[] { true, false })
            {
                Pooling2D layer = max ? new MaxPooling2D(k, s, padding, [h, w, 3]) : new AveragePooling2D(k, s, padding, [h, w, 3]);
                layer.Build([h, w, 3], DType.Float64, Device.Cpu, new Generator(0));
                var expected = PoolLoop(x, k, s, padding, max);
                var got = layer.Call(x);
                Assert.That(got.Shape, Is.EqualTo(expected.Shape), $"{layer.ClassName} {h}×{w} k{k} s{s}");
                Assert.That(got.ToDoubleArray(), Is.EqualTo(expected.Data).Within(1e-12), $"{layer.ClassName} {h}×{w} k{k} s{s} {padding}");
            }
        }
    }

    [Test]
    public void ConvSameWithEvenKernelsAndUnequalStridesMatchesTheLoop()
    {
        foreach (var (h, w, k, s) in Geometries)
        {
            var conv = new Conv2D(2, k, s, "same", inputShape: [h, w, 3]);
            conv.Build([h, w, 3], DType.Float64, Device.Cpu, new Generator(5));
            var x = Tensor.Rand([2, h, w, 3], -1, 1, DType.Float64, generator: new Generator(7));
            var expected = ConvLoop(x, conv.Kernel, conv.Bias!, k, s);
            var got = conv.Call(x);
            Assert.That(got.Shape, Is.EqualTo(expected.Shape), $"{h}×{w} k{k} s{s}");
            Assert.That(got.ToDoubleArray(), Is.EqualTo(expected.Data).Within(1e-12), $"{h}×{w} k{k} s{s}");
        }
    }

    [Test]
    public void InputGradientsMatchCentralDifferences()
    {
        foreach (var (h, w, k, s) in Geometries)
            foreach (var padding in new[] { "same", "valid" })
            {
                if (padding == "valid" && (h < k.H || w < k.W)) continue;
                Layer[] layers = [new MaxPooling2D(k, s, padding, [h, w, 2]), new AveragePooling2D(k, s, padding, [h, w, 2]), new Conv2D(2, k, s, padding, inputShape: [h, w, 2])];
                foreach (var layer in layers)
                {
                    layer.Build([h, w, 2], DType.Float64, Device.Cpu, new Generator(3));
                    CheckInputGradient(layer, h, w, $"{layer.ClassName} {h}×{w} k{k} s{s} {padding}");
                }
            }
    }

    [Test]
    public void SaveAndLoadKeepPaddingAndStrides()
    {
        var m = new Sequential(seed: 4);
        m.Add(new Conv2D(2, (2, 3), strides: (2, 1), padding: "same", inputShape: [7, 6, 1]));
        m.Add(new MaxPooling2D((3, 2), strides: (1, 2), padding: "same"));
        m.Add(new AveragePooling2D(2, padding: "same"));
        m.Add(new Flatten());
        m.Add(new Dense(2));
        string path = Path.Combine(Path.GetTempPath(), $"pool-same-{Guid.NewGuid():N}.safetensors");
        try
        {
            m.Save(path);
            var back = Sequential.Load(path);
            var pool = (MaxPooling2D)back.Layers[1];
            Assert.That((pool.Padding, pool.PoolSize, pool.Strides), Is.EqualTo(("same", new IntPair(3, 2), new IntPair(1, 2))));
            var x = Tensor.Rand([2, 7, 6, 1], generator: new Generator(9));
            Assert.That(back.Predict(x).ToDoubleArray(), Is.EqualTo(m.Predict(x).ToDoubleArray()).Within(1e-6));
        }
        finally
        {
            if (File.Exists(path)) File.Delete(path);
        }
    }

    /// <summary>∂Σ(w ⊙ layer(x))/∂x by autograd against central differences at every input cell.</summary>
    private static void CheckInputGradient(Layer layer, int h, int w, string what)
    {
        var g = new Generator((ulong)(h * 31 + w));
        // Distinct values keep every window's maximum unique, so the max is differentiable at x.
        var x = Tensor.Rand([1, h, w, 2], -1, 1, DType.Float64, generator: g);
        x.RequiresGrad = true;
        var weights = Tensor.Rand([1, .. layer.OutputShape], -1, 1, DType.Float64, generator: g);
        (layer.Call(x) * weights).Sum().Backward();
        var analytic = x.Grad!.ToDoubleArray();
        var data = x.Span<double>();
        double Loss()
        {
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            return (layer.Call(x) * weights).Sum().Item();
        }
        for (int i = 0; i < x.Size; i++)
        {
            double keep = data[i];
            data[i] = keep + 1e-6;
            double up = Loss();
            data[i] = keep - 1e-6;
            double down = Loss();
            data[i] = keep;
            double numeric = (up - down) / 2e-6;
            Assert.That(analytic[i], Is.EqualTo(numeric).Within(1e-6 + 1e-5 * Math.Abs(numeric)), $"{what}, x[{i}]");
        }
    }

    /// <summary>First input cell of each window along an axis, and the window count, by TensorFlow's rule.</summary>
    private static (int Start0, int Out) Axis(int n, int k, int s, string padding)
    {
        if (padding == "valid") return (0, (n - k) / s + 1);
        int o = (n + s - 1) / s;
        return (-Math.Max((o - 1) * s + k - n, 0) / 2, o);
    }

    /// <summary>Pooling of x [N, H, W, C] cell by cell over the input cells inside each window.</summary>
    private static (int[] Shape, double[] Data) PoolLoop(Tensor x, IntPair k, IntPair s, string padding, bool max)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        var v = x.ToDoubleArray();
        var (r0, oh) = Axis(h, k.H, s.H, padding);
        var (c0, ow) = Axis(w, k.W, s.W, padding);
        var y = new double[n * oh * ow * c];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        double best = double.NegativeInfinity, sum = 0;
                        int count = 0;
                        for (int p = r0 + i * s.H; p < r0 + i * s.H + k.H; p++)
                            for (int q = c0 + j * s.W; q < c0 + j * s.W + k.W; q++)
                            {
                                if (p < 0 || p >= h || q < 0 || q >= w) continue;
                                double cell = v[((b * h + p) * w + q) * c + ch];
                                best = Math.Max(best, cell);
                                sum += cell;
                                count++;
                            }
                        y[((b * oh + i) * ow + j) * c + ch] = max ? best : sum / count;
                    }
        return ([n, oh, ow, c], y);
    }

    /// <summary>Conv2D "same" of x [N, H, W, C] with kernel [kh, kw, C, F] cell by cell, zeros outside the input.</summary>
    private static (int[] Shape, double[] Data) ConvLoop(Tensor x, Tensor kernel, Tensor bias, IntPair k, IntPair s)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3), f = kernel.Dim(3);
        var v = x.ToDoubleArray();
        var kv = kernel.ToDoubleArray();
        var bv = bias.ToDoubleArray();
        var (r0, oh) = Axis(h, k.H, s.H, "same");
        var (c0, ow) = Axis(w, k.W, s.W, "same");
        var y = new double[n * oh * ow * f];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                    for (int o = 0; o < f; o++)
                    {
                        double sum = bv[o];
                        for (int a = 0; a < k.H; a++)
                            for (int d = 0; d < k.W; d++)
                            {
                                int p = r0 + i * s.H + a, q = c0 + j * s.W + d;
                                if (p < 0 || p >= h || q < 0 || q >= w) continue;
                                for (int ch = 0; ch < c; ch++)
                                    sum += v[((b * h + p) * w + q) * c + ch] * kv[((a * k.W + d) * c + ch) * f + o];
                            }
                        y[((b * oh + i) * ow + j) * f + o] = sum;
                    }
        return ([n, oh, ow, f], y);
    }
}
