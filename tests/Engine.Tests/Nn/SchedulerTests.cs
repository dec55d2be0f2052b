using Engine.Nn;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Nn;

public class SchedulerTests
{
    [Test]
    public void StepLRDecaysEveryStepSizeEpochs()
    {
        var opt = new Sgd(new Linear(2, 1).Parameters(), lr: 0.1);
        var sched = new StepLR(opt, stepSize: 3, gamma: 0.5);
        var lrs = new List<double>();
        for (int e = 0; e < 7; e++) { lrs.Add(opt.LearningRate); sched.Step(); }
        Assert.That(lrs, Is.EqualTo(new[] { 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025 }).Within(1e-15));
        Assert.That(sched.LastEpoch, Is.EqualTo(7));
        Assert.That(() => new StepLR(opt, 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("StepLR"));
    }

    [Test]
    public void ExponentialLRMultipliesEveryEpoch()
    {
        var opt = new Adam(new Linear(2, 1).Parameters(), lr: 1);
        var sched = new ExponentialLR(opt, 0.9);
        for (int e = 0; e < 4; e++) sched.Step();
        Assert.That(opt.LearningRate, Is.EqualTo(Math.Pow(0.9, 4)).Within(1e-15));
        Assert.That(sched.LastLearningRate, Is.EqualTo(opt.LearningRate));
    }

    [Test]
    public void AdamLossFallsInAShortRun()
    {
        var ctx = TestRun.Exercise("20.3.8");
        TestRun.AssertAllChecksPass(ctx);
    }
}
