using Engine.Amp;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

public class PrecisionTests
{
    private static readonly float[] Inputs = [1.0f, 1.00390625f, 1.01171875f, 3.14159265f, 1e-8f, 7e-8f, 65504f, 70000f, -2.5e-5f, 1e30f];

    // Expected values printed by torch 1.13: torch.tensor([x]).to(torch.bfloat16 / torch.float16).float().
    private static readonly double[] BFloat16 = [1.0, 1.0, 1.015625, 3.140625, 1.0011717677116394e-08, 6.984919309616089e-08, 65536.0, 70144.0, -2.5033950805664062e-05, 1.0002555517425873e+30];
    private static readonly double[] Float16 = [1.0, 1.00390625, 1.01171875, 3.140625, 0.0, 5.960464477539063e-08, 65504.0, double.PositiveInfinity, -2.4974346160888672e-05, double.PositiveInfinity];

    [Test]
    public void RoundingMatchesTorch()
    {
        for (int i = 0; i < Inputs.Length; i++)
        {
            Assert.That((double)Precision.ToBFloat16(Inputs[i]), Is.EqualTo(BFloat16[i]), $"bfloat16 of {Inputs[i]}");
            Assert.That((double)Precision.ToFloat16(Inputs[i]), Is.EqualTo(Float16[i]), $"float16 of {Inputs[i]}");
        }
    }

    [Test]
    public void RoundIsDifferentiableAndRoundsTheGradient()
    {
        var x = Tensor.FromArray(new[] { 1.00390625f, 2f }).RequiresGrad_();
        var y = Precision.Round(x, HalfType.BFloat16);
        Assert.That(y.ToArray<float>(), Is.EqualTo(new[] { 1f, 2f }));
        (y * 1e-8).Sum().Backward();
        Assert.That(x.Grad!.ToArray<float>()[0], Is.EqualTo(Precision.ToBFloat16(1e-8f)));
        var z = Tensor.FromArray(new[] { 1f }).RequiresGrad_();
        (Precision.Round(z, HalfType.Float16) * 1e-8).Sum().Backward();
        Assert.That(z.Grad!.ToArray<float>()[0], Is.EqualTo(0f), "1e-8 underflows in float16");
    }

    [Test]
    public void GradScalerSkipsOverflowingStepsAndBacksOff()
    {
        var p = Tensor.FromArray(new[] { 1f }).RequiresGrad_();
        var scaler = new GradScaler(initScale: 1024, growthInterval: 2);
        int steps = 0;
        scaler.ScaleLoss((p * 3).Sum()).Backward();
        Assert.That(p.Grad!.Item(), Is.EqualTo(3 * 1024));
        Assert.That(scaler.Step([p], () => steps++), Is.True);
        Assert.That(p.Grad!.Item(), Is.EqualTo(3));
        p.ZeroGrad();
        (p * float.PositiveInfinity).Sum().Backward();
        Assert.That(scaler.Step([p], () => steps++), Is.False);
        Assert.That((steps, scaler.Scale, scaler.SkippedSteps), Is.EqualTo((1, 512.0, 1)));
    }
}
