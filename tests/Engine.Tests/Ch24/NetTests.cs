using Engine.Scratch;
using NUnit.Framework;

namespace Engine.Tests.Ch24;

/// <summary>TwoLayerNet and MultiLayerNet: structure, gradient checks (float64, mean |diff| ≤ 1e-9 per key), init.</summary>
public class NetTests
{
    private static (Tensor X, Tensor T) Data(int n, int inputs, int classes, ulong seed)
    {
        var g = new Generator(seed);
        var x = Tensor.Rand([n, inputs], 0, 1, DType.Float64, generator: g);
        var labels = Enumerable.Range(0, n).Select(i => (int)((i * 7 + 3) % classes)).ToArray();
        return (x, Tensor.FromArray(labels).OneHot(classes, DType.Float64));
    }

    private static void AssertGradientsAgree(LayerNet net, Tensor x, Tensor t)
    {
        net.LastLayer.Delta = 0; // the exact loss: backprop differentiates −log y, not −log(y + 1e-7)
        var numerical = net.NumericalGradient(x, t);
        var backprop = net.Gradient(x, t);
        Assert.That(backprop.Keys, Is.EqualTo(net.Params.Keys));
        Assert.That(numerical.Keys, Is.EqualTo(net.Params.Keys));
        foreach (var (key, n) in numerical)
        {
            double diff = (backprop[key] - n).Abs().Mean().Item();
            Assert.That(diff, Is.LessThanOrEqualTo(1e-9), key);
            Assert.That(backprop[key].Abs().Max().Item(), Is.GreaterThan(1e-6), $"{key}: the gradient is not trivially zero");
        }
    }

    [Test]
    public void TwoLayerNetHasTheBooksStructure()
    {
        var net = new TwoLayerNet(inputSize: 784, hiddenSize: 50, outputSize: 10, generator: new Generator(0));
        Assert.That(net.Params.Keys, Is.EqualTo(new[] { "W1", "b1", "W2", "b2" }));
        Assert.That(net.Layers.Keys, Is.EqualTo(new[] { "Affine1", "Relu1", "Affine2" }));
        Assert.That(net.Params["W1"].Shape, Is.EqualTo(new[] { 784, 50 }));
        Assert.That(net.Params["b2"].Shape, Is.EqualTo(new[] { 10 }));
        Assert.That(net.Params["b1"].ToDoubleArray(), Is.All.EqualTo(0.0));
        var w = net.Params["W1"].ToDoubleArray();
        double std = Math.Sqrt(w.Select(v => v * v).Average());
        Assert.That(std, Is.EqualTo(0.01).Within(0.0005), "weights are 0.01·randn");
        Assert.That(((Affine)net.Layers["Affine1"]).W, Is.SameAs(net.Params["W1"]), "layers use the Params tensors");
    }

    [Test]
    public void TwoLayerNetGradientCheck()
    {
        var net = new TwoLayerNet(6, 5, 4, weightInitStd: 0.5, generator: new Generator(7), dtype: DType.Float64);
        var (x, t) = Data(3, 6, 4, 8);
        AssertGradientsAgree(net, x, t);
    }

    [Test]
    public void MultiLayerNetReluGradientCheck()
    {
        var net = new MultiLayerNet(6, [5, 4], 3, activation: "relu", weightInitStd: "he", generator: new Generator(9), dtype: DType.Float64);
        Assert.That(net.Params.Keys, Is.EqualTo(new[] { "W1", "b1", "W2", "b2", "W3", "b3" }));
        Assert.That(net.Layers.Keys, Is.EqualTo(new[] { "Affine1", "Relu1", "Affine2", "Relu2", "Affine3" }));
        var (x, t) = Data(4, 6, 3, 10);
        AssertGradientsAgree(net, x, t);
    }

    [Test]
    public void MultiLayerNetSigmoidWithWeightDecayGradientCheck()
    {
        var net = new MultiLayerNet(5, [4, 4], 3, activation: "sigmoid", weightInitStd: "xavier", weightDecayLambda: 0.1,
            generator: new Generator(11), dtype: DType.Float64);
        Assert.That(net.Layers.Keys, Is.EqualTo(new[] { "Affine1", "Sigmoid1", "Affine2", "Sigmoid2", "Affine3" }));
        var (x, t) = Data(4, 5, 3, 12);
        AssertGradientsAgree(net, x, t);
        // the decay term is in the loss: ½λΣ‖W‖²
        net.LastLayer.Delta = 0;
        double withDecay = net.Loss(x, t);
        var plain = new MultiLayerNet(5, [4, 4], 3, activation: "sigmoid", weightInitStd: "xavier", generator: new Generator(11), dtype: DType.Float64);
        plain.LastLayer.Delta = 0;
        double penalty = 0.5 * 0.1 * net.Params.Where(p => p.Key.StartsWith('W')).Sum(p => p.Value.ToDoubleArray().Sum(v => v * v));
        Assert.That(withDecay, Is.EqualTo(plain.Loss(x, t) + penalty).Within(1e-12));
    }

    [Test]
    public void HeAndXavierScales()
    {
        Assert.That(WeightInit.HeStd(784), Is.EqualTo(Math.Sqrt(2.0 / 784)));
        Assert.That(WeightInit.XavierStd(100), Is.EqualTo(0.1).Within(1e-15));
        Assert.That(((WeightInitStd)"relu").StdFor(50), Is.EqualTo(0.2));
        Assert.That(((WeightInitStd)"sigmoid").StdFor(4), Is.EqualTo(0.5));
        Assert.That(((WeightInitStd)0.01).StdFor(1000), Is.EqualTo(0.01));
        Assert.Throws<ArgumentException>(() => _ = (WeightInitStd)"tanh");
        var net = new MultiLayerNet(400, [300], 10, generator: new Generator(5));
        var w = net.Params["W1"].ToDoubleArray();
        Assert.That(Math.Sqrt(w.Select(v => v * v).Average()), Is.EqualTo(Math.Sqrt(2.0 / 400)).Within(0.002), "He by default");
    }

    [Test]
    public void AccuracyAcceptsOneHotAndLabels()
    {
        var net = new TwoLayerNet(4, 3, 2, generator: new Generator(1), dtype: DType.Float64);
        var x = Tensor.Rand([6, 4], 0, 1, DType.Float64, generator: new Generator(2));
        var predicted = net.Predict(x).ArgMax(1).ToArray<int>();
        var labels = predicted.Select((p, i) => i < 4 ? p : 1 - p).ToArray(); // 4 of 6 right
        Assert.That(net.Accuracy(x, Tensor.FromArray(labels)), Is.EqualTo(4.0 / 6));
        Assert.That(net.Accuracy(x, Tensor.FromArray(labels).OneHot(2, DType.Float64)), Is.EqualTo(4.0 / 6));
        Assert.That(net.Accuracy(x, Tensor.FromArray(labels), batchSize: 4), Is.EqualTo(4.0 / 6), "in batches");
    }

    [Test]
    public void GradientTakesTheFirstLayersParameterGradientsOnly()
    {
        // The first layer's dx (dLoss/dx for the input) is not computed: Gradient calls its BackwardParams, and the
        // later layers' Backward. The spy stands in front of Affine1 and passes every call on.
        var (x, t) = Data(5, 4, 3, seed: 3);
        var net = new TwoLayerNet(4, 6, 3, dtype: DType.Float64, generator: new Generator(4));
        var spy = new SpyLayer(net.Layers["Affine1"]);
        net.Layers["Affine1"] = spy;
        net.Gradient(x, t);
        Assert.That(spy.Calls, Is.EqualTo(new[] { "Forward", "BackwardParams" }));
    }

    [Test]
    public void BackwardParamsComputesNoDx()
    {
        // Affine: one product (xᵀ·dout) where Backward makes two; Convolution: no col2im. The values of DW and DB are checked
        // through Gradient against numerical gradients (TwoLayerNetGradientCheck, SimpleConvNetBackpropagationMatchesNumericalGradient).
        var g = new Generator(5);
        var affine = new Affine(Tensor.Randn([4, 3], generator: g), Tensor.Randn([3], generator: g));
        var conv = new Convolution(Tensor.Randn([2, 3, 3, 3], generator: g), Tensor.Randn([2], generator: g), stride: 1, pad: 1);
        using var ya = affine.Forward(Tensor.Randn([5, 4], generator: g));
        using var yc = conv.Forward(Tensor.Randn([2, 3, 5, 5], generator: g));
        using var douta = Tensor.Randn(ya.Shape, generator: g);
        using var doutc = Tensor.Randn(yc.Shape, generator: g);
        var called = new List<string>();
        using (DeviceRegistry.UseCpuBackend(Ops.ReferenceOpTests.RecordingBackend.Create(CpuBackend.Instance, called)))
        {
            affine.BackwardParams(douta);
            Assert.That(called.Count(c => c == "MatMul"), Is.EqualTo(1), "Affine");
            called.Clear();
            conv.BackwardParams(doutc);
            Assert.That(called, Does.Not.Contain("Col2Im"), "Convolution");
            called.Clear();
            conv.Backward(doutc).Dispose();
            Assert.That(called, Does.Contain("Col2Im"), "Backward's dx goes through the recorded backend");
        }
        Assert.That(new[] { affine.DW, affine.DB, conv.DW, conv.DB }, Is.All.Not.Null);
    }

    /// <summary>Passes every call to the layer it wraps and records which ILayer member was called.</summary>
    private sealed class SpyLayer(ILayer inner) : ILayer
    {
        public List<string> Calls { get; } = [];

        public Tensor Forward(Tensor x) { Calls.Add("Forward"); return inner.Forward(x); }

        public Tensor Backward(Tensor dout) { Calls.Add("Backward"); return inner.Backward(dout); }

        public void BackwardParams(Tensor dout) { Calls.Add("BackwardParams"); inner.BackwardParams(dout); }
    }

    [Test]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new MultiLayerNet(4, [3], 2, activation: "tanh"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TwoLayerNet(0, 3, 2));
        var net = new TwoLayerNet(4, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => net.Predict(Tensor.Zeros([2, 5])))!;
        Assert.That(e.Message, Does.Contain("Affine.Forward").And.Contain("[2, 5]"));
    }
}
