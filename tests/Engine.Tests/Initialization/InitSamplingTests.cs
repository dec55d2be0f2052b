using Engine.Layers;
using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Initialization;

/// <summary>
/// The three initialisation APIs (DLfS WeightInit, torch.nn.init, keras.initializers) draw from one
/// place: where their maths agrees, the same seed gives bit-identical weights.
/// </summary>
public sealed class InitSamplingTests
{
    [Test]
    public void DlfsTorchAndKerasNormalsAgreeBitForBit()
    {
        double[] dlfs = WeightInit.Normal([4, 3], 0.5, DType.Float64, generator: new Generator(7)).ToDoubleArray();
        double[] torch = Init.Normal(Tensor.Zeros([4, 3], DType.Float64), 0, 0.5, new Generator(7)).ToDoubleArray();
        // Keras fan_in of a Dense kernel [4, 3] is 4: σ = √(1/4) = 0.5.
        double[] keras = new VarianceScaling(1, "fan_in", "untruncated_normal").Sample([4, 3], new Generator(7));
        Assert.That(torch, Is.EqualTo(dlfs));
        Assert.That(keras, Is.EqualTo(dlfs));
        Assert.That(dlfs.Distinct().Count(), Is.EqualTo(12));
    }

    [Test]
    public void TorchAndKerasUniformsAgreeBitForBit()
    {
        // Keras "uniform" with scale 1/3 over fan_in 9: l = √(3·(1/3)/9) = 1/3; torch U(−1/3, 1/3).
        double[] keras = new VarianceScaling(1.0 / 3, "fan_in", "uniform").Sample([9, 2], new Generator(3));
        double limit = Math.Sqrt(3 * (1.0 / 3 / 9));
        double[] torch = Init.Uniform(Tensor.Zeros([9, 2], DType.Float64), -limit, limit, new Generator(3)).ToDoubleArray();
        Assert.That(keras, Is.EqualTo(torch));
        Assert.That(keras.All(v => Math.Abs(v) <= limit), Is.True);
    }

    [Test]
    public void TruncatedNormalStaysWithinTwoStd()
    {
        var v = new HeNormal().Sample([50, 40], new Generator(11));
        double std = Math.Sqrt(2.0 / 50) / 0.87962566103423978;
        Assert.That(v.Max(Math.Abs), Is.LessThanOrEqualTo(2 * std));
        Assert.That(v.Max(Math.Abs), Is.GreaterThan(1.5 * std));
    }

    [Test]
    public void FansOfTheTwoLayoutsMatch()
    {
        // A 5×5 conv from 3 to 8 channels: PyTorch [out, in, kh, kw], Keras [kh, kw, in, out].
        Assert.That(Init.Fans(Tensor.Zeros([8, 3, 5, 5])), Is.EqualTo((75, 200)));
        Assert.That(Initializer.Fans([5, 5, 3, 8]), Is.EqualTo((75.0, 200.0)));
        Assert.That(Initializer.Fans([7]), Is.EqualTo((7.0, 7.0)));
        Assert.That(() => Init.Fans(Tensor.Zeros([7])), Throws.ArgumentException.With.Message.Contains("rank ≥ 2"));
    }

    [Test]
    public void LinearDrawsKaimingUniformWeightThenBias()
    {
        var linear = new Linear(6, 4, dtype: DType.Float64, generator: new Generator(5));
        var g = new Generator(5);
        var w = Init.KaimingUniform(Tensor.Zeros([4, 6], DType.Float64), a: Math.Sqrt(5), generator: g);
        var b = Init.Uniform(Tensor.Zeros([4], DType.Float64), -1 / Math.Sqrt(6), 1 / Math.Sqrt(6), g);
        Assert.That(linear.Weight.ToDoubleArray(), Is.EqualTo(w.ToDoubleArray()));
        Assert.That(linear.Bias!.ToDoubleArray(), Is.EqualTo(b.ToDoubleArray()));
    }
}
