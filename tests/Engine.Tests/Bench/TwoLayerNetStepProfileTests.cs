using Chapters.Bench;
using Engine.Optim;
using Engine.Scratch;
using NUnit.Framework;

namespace Engine.Tests.Bench;

/// <summary>`bench cpu`'s step profile times, call by call, the same training step as Gradient and Update.</summary>
public class TwoLayerNetStepProfileTests
{
    [Test]
    public void InStepTimingRunsTheStepOfGradientAndUpdate()
    {
        const int steps = 5;
        (TwoLayerNet Net, Tensor X, Tensor T) Setup()
        {
            var gen = new Generator(3);
            var net = new TwoLayerNet(12, 7, 4, generator: gen);
            var x = Tensor.Rand([6, 12], generator: gen);
            using var labels = Tensor.FromArray(new[] { 0, 3, 1, 2, 2, 0 });
            return (net, x, labels.OneHot(4));
        }
        var (timed, x, t) = Setup();
        var (plain, _, _) = Setup();

        double[] medians = TwoLayerNetStepProfile.InStepMedians(timed, new Sgd(lr: 0.1), x, t, steps);
        var sgd = new Sgd(lr: 0.1);
        for (int i = 0; i < 2 * steps; i++) // the timed steps and as many warm-up steps before them
        {
            using var scope = Tensor.Scope();
            sgd.Update(plain.Params, plain.Gradient(x, t));
        }

        foreach (var (name, p) in plain.Params)
            Assert.That(timed.Params[name].ToArray<float>(), Is.EqualTo(p.ToArray<float>()), name);
        Assert.That(medians, Has.Length.EqualTo(10), "nine calls, then the whole step");
        Assert.That(medians, Has.All.GreaterThan(0.0));
        Assert.That(medians.Take(9), Has.All.LessThanOrEqualTo(medians[9]), "every step is longer than each of its calls");
    }
}
