using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>Autograd through every Keras layer against central differences, in float64.</summary>
public class GradientCheckTests
{
    private static double Loss(Sequential m, Tensor x, Tensor w, bool training)
    {
        using var scope = Tensor.Scope();
        return (m.Call(x, training) * w).Sum().Item();
    }

    private static void Check(Sequential m, int[] inputShape, bool training = false)
    {
        var g = new Generator(11);
        var x = Tensor.Rand([3, .. inputShape], -1, 1, DType.Float64, generator: g);
        var outShape = m.Call(x).Shape;
        var w = Tensor.Rand(outShape, -1, 1, DType.Float64, generator: g);
        foreach (var lw in m.Weights) lw.Value.ZeroGrad();
        (m.Call(x, training) * w).Sum().Backward();
        foreach (var lw in m.TrainableWeights)
        {
            var p = lw.Value;
            var analytic = p.Grad!.ToDoubleArray();
            var data = p.Span<double>();
            for (int i = 0; i < Math.Min(p.Size, 12); i++)
            {
                int k = (int)(i * 7919L % p.Size);
                double keep = data[k];
                data[k] = keep + 1e-6;
                double up = Loss(m, x, w, training);
                data[k] = keep - 1e-6;
                double down = Loss(m, x, w, training);
                data[k] = keep;
                double numeric = (up - down) / 2e-6;
                Assert.That(analytic[k], Is.EqualTo(numeric).Within(1e-6 + 1e-5 * Math.Abs(numeric)), $"{lw.FullName}[{k}]");
            }
        }
    }

    [Test]
    public void ConvPoolDenseSoftmax()
    {
        var m = new Sequential(seed: 1, dtype: DType.Float64);
        m.Add(new Conv2D(3, 3, activation: "tanh", inputShape: [7, 7, 2]));
        m.Add(new AveragePooling2D((2, 2)));
        m.Add(new Conv2D(2, (2, 1), padding: "valid", activation: "sigmoid", kernelInitializer: new HeNormal()));
        m.Add(new Flatten());
        m.Add(new Dense(4, activation: "softmax"));
        Check(m, [7, 7, 2]);
    }

    [Test]
    public void SamePaddingMaxPoolAndActivationLayers()
    {
        var m = new Sequential(seed: 2, dtype: DType.Float64);
        m.Add(new Conv2D(2, 3, padding: "same", inputShape: [6, 6, 1]));
        m.Add(new Activation("relu"));
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new Flatten());
        m.Add(new Dense(3));
        m.Add(new Activation("tanh"));
        Check(m, [6, 6, 1]);
        Assert.That(m.GetLayer("conv2d_1").OutputShape, Is.EqualTo(new[] { 6, 6, 2 }));
    }

    [Test]
    public void BatchNormalizationInTraining()
    {
        var m = new Sequential(seed: 3, dtype: DType.Float64);
        m.Add(new Conv2D(2, 3, inputShape: [5, 5, 2]));
        m.Add(new BatchNormalization());
        m.Add(new Flatten());
        m.Add(new Dense(3));
        m.Add(new BatchNormalization());
        Check(m, [5, 5, 2], training: true);
    }

    [Test]
    public void ConvMatchesADirectChannelsLastLoop()
    {
        var m = new Sequential(seed: 4, dtype: DType.Float64);
        var conv = new Conv2D(2, (2, 3), inputShape: [4, 5, 3]);
        m.Add(conv);
        var x = Tensor.Rand([2, 4, 5, 3], -1, 1, DType.Float64, generator: new Generator(5));
        var y = m.Predict(x).ToDoubleArray();
        var k = conv.Kernel.ToDoubleArray();
        var xv = x.ToDoubleArray();
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    for (int f = 0; f < 2; f++)
                    {
                        double s = 0;
                        for (int a = 0; a < 2; a++)
                            for (int b = 0; b < 3; b++)
                                for (int c = 0; c < 3; c++)
                                    s += xv[((n * 4 + i + a) * 5 + j + b) * 3 + c] * k[((a * 3 + b) * 3 + c) * 2 + f];
                        Assert.That(y[((n * 3 + i) * 3 + j) * 2 + f], Is.EqualTo(s).Within(1e-12));
                    }
    }
}
