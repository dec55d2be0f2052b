using Engine.Layers;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>
/// The shortcuts Sequential takes for speed give Keras's results: Flatten → Dense straight from
/// channels-first images (the kernel's rows permuted instead of the images), and TrainOnBatch's fused Adam
/// (the same update as Keras's formula computed op by op by <see cref="Optimizer.Update"/>).
/// </summary>
public class LayoutFastPathTests
{
    private static Sequential ConvFlattenDense(int filters, ulong seed)
    {
        var m = new Sequential(seed: seed, dtype: DType.Float64);
        m.Add(new Conv2D(filters, 3, activation: "relu", inputShape: [6, 5, 2]));
        m.Add(new MaxPooling2D(2));
        m.Add(new Flatten());
        m.Add(new Dense(4, activation: "softmax", biasInitializer: new Ones()));
        return m;
    }

    [TestCase(3)]
    [TestCase(1)]
    public void FlattenDenseOnChannelsFirstMatchesLayerByLayer(int filters)
    {
        var m = ConvFlattenDense(filters, 7);
        var g = new Generator(11);
        var x = Tensor.Randn([3, 6, 5, 2], DType.Float64, generator: g);
        var r = Tensor.Randn([3, 4], DType.Float64, generator: g);
        foreach (var w in m.Weights) w.Value.RequiresGrad = true;

        var fast = m.Call(x);
        (fast * r).Sum().Backward();
        var fastGrads = m.Weights.Select(w => w.Value.Grad!.ToDoubleArray()).ToArray();
        foreach (var w in m.Weights) w.Value.ZeroGrad();

        // Each layer on its own, channels-last as Keras runs it.
        var y = x;
        foreach (var layer in m.Layers) y = layer.Call(y);
        (y * r).Sum().Backward();

        Assert.That(fast.Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(fast.ToDoubleArray(), Is.EqualTo(y.ToDoubleArray()).Within(1e-12));
        var weights = m.Weights.ToArray();
        for (int i = 0; i < weights.Length; i++)
            Assert.That(fastGrads[i], Is.EqualTo(weights[i].Value.Grad!.ToDoubleArray()).Within(1e-12), weights[i].FullName);
    }

    [Test]
    public void TrainOnBatchAdamIsKerasAdamOpByOp()
    {
        var fused = ConvFlattenDense(3, 5);
        var opByOp = ConvFlattenDense(3, 5);
        fused.Compile(new Adam(lr: 0.01, eps: 1e-7), Losses.CategoricalCrossentropy);
        var adam = new Adam(lr: 0.01, eps: 1e-7);
        opByOp.Compile(adam, Losses.CategoricalCrossentropy);
        var g = new Generator(2);
        var x = Tensor.Randn([8, 6, 5, 2], DType.Float64, generator: g);
        var y = Tensor.FromArray(Enumerable.Range(0, 8).Select(i => i % 4).ToArray()).OneHot(4).To(DType.Float64);
        for (int step = 0; step < 4; step++)
        {
            fused.TrainOnBatch(x, y);
            // Keras's Adam written out: lr_t = lr·√(1−β2^t)/(1−β1^t), m += (1−β1)(g − m), v += (1−β2)(g² − v), w −= lr_t·m/(√v + ε).
            foreach (var w in opByOp.Weights) { w.Value.RequiresGrad = true; w.Value.ZeroGrad(); }
            opByOp.LossOf(x, y, training: true).Loss.Backward();
            adam.Update(opByOp.Weights.ToDictionary(w => w.FullName, w => w.Value), opByOp.Weights.ToDictionary(w => w.FullName, w => w.Value.Grad!));
        }
        var a = fused.Weights.ToArray();
        var b = opByOp.Weights.ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.That(a[i].Value.ToDoubleArray(), Is.EqualTo(b[i].Value.ToDoubleArray()).Within(1e-12), a[i].FullName);
            Assert.That(fused.Optimizer!.StateOf(a[i].FullName)!.Step, Is.EqualTo(4));
        }
    }
}
