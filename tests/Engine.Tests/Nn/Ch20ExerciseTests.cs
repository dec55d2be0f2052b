using Chapters.Ch20;
using NUnit.Framework;

namespace Engine.Tests.Nn;

/// <summary>The SPEC checks of chapter 20's PyTorch half, with short schedules.</summary>
public class Ch20ExerciseTests
{
    [Test]
    public void AutogradGradientsEqualTheManualOnesOf2033()
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var (x, y, w1, w2) = TwoLayerRandom.Data(0, Device.Cpu, dtype);
            var (ml, m1, m2) = Ex20_3_3_ManualBackwardTensors.Gradients(x, y, w1, w2);
            var (al, a1, a2) = Ex20_3_4_AutogradTwoLayer.Gradients(x, y, w1, w2);
            // float64: the two differ only in the order of the roundings (the exercise prints 0.00E+000).
            double tol = dtype == DType.Float64 ? 1e-13 : 1e-5;
            Assert.That(al.Item(), Is.EqualTo(ml.Item()).Within(tol * ml.Item()));
            Assert.That(Ex20_3_4_AutogradTwoLayer.RelativeError(a1, m1), Is.LessThanOrEqualTo(tol), $"dw1 {dtype}");
            Assert.That(Ex20_3_4_AutogradTwoLayer.RelativeError(a2, m2), Is.LessThanOrEqualTo(tol), $"dw2 {dtype}");
            Assert.That(m1.ToDoubleArray().Any(v => v != 0), Is.True);
        }
    }

    [Test]
    public void CustomFunctionAndStaticGraphLossesAreIdenticalTo2034()
    {
        var reference = Ex20_3_4_AutogradTwoLayer.Train(Device.Cpu, 0, 30);
        Assert.That(Ex20_3_5_CustomFunctionTwoLayer.Train(Device.Cpu, 0, 30), Is.EqualTo(reference));
        Assert.That(Ex20_3_6_StaticGraphTwoLayer.Train(Device.Cpu, 0, 30, out _), Is.EqualTo(reference));
        var manual = Ex20_3_3_ManualBackwardTensors.Train(Device.Cpu, 0, 30);
        for (int t = 0; t < 30; t++) Assert.That(manual[t], Is.EqualTo(reference[t]).Within(1e-5 * reference[t]));
        Assert.That(reference[0] / reference[^1], Is.GreaterThan(100));
    }

    [TestCase("20.3.3")]
    [TestCase("20.3.4")]
    [TestCase("20.3.5")]
    [TestCase("20.3.6")]
    [TestCase("20.3.7")]
    [TestCase("20.4.1")]
    public void ExerciseChecksPass(string id)
    {
        var ctx = TestRun.Exercise(id);
        TestRun.AssertAllChecksPass(ctx);
    }

    [Test]
    public void NnLossFallsInAShortRun()
    {
        var losses = Ex20_3_7_NnTwoLayer.Train(Device.Cpu, 1, 60, out _);
        Assert.That(losses[0] / losses[^1], Is.GreaterThan(20));
    }
}
