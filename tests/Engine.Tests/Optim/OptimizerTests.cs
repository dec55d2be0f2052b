using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Optim;

/// <summary>
/// Every optimiser: a few steps through both APIs (DLfS Update by name, PyTorch Step over p.Grad)
/// against a plain loop of its formula; state, learning-rate changes, ZeroGrad and bad input.
/// </summary>
public class OptimizerTests
{
    private const int Steps = 4;

    /// <summary>Plain-loop reference: p and state arrays updated with gradient sequence gs.</summary>
    private delegate void Rule(double[] p, double[] g, double[][] state, int step);

    private static readonly Dictionary<string, (Func<IEnumerable<Tensor>?, Optimizer> Make, Rule Rule)> Cases = new()
    {
        ["Sgd"] = (ps => new Sgd(ps, lr: 0.1), (p, g, s, t) => { for (int i = 0; i < p.Length; i++) p[i] -= 0.1 * g[i]; }),
        ["SgdWeightDecay"] = (ps => new Sgd(ps, lr: 0.1, weightDecay: 0.01), (p, g, s, t) => { for (int i = 0; i < p.Length; i++) p[i] -= 0.1 * (g[i] + 0.01 * p[i]); }),
        ["Momentum"] = (ps => new Momentum(ps, lr: 0.01, momentum: 0.9), (p, g, s, t) =>
        {
            for (int i = 0; i < p.Length; i++) { s[0][i] = 0.9 * s[0][i] - 0.01 * g[i]; p[i] += s[0][i]; } // DLfS's form
        }),
        ["Nesterov"] = (ps => new Nesterov(ps, lr: 0.01, momentum: 0.9), (p, g, s, t) =>
        {
            for (int i = 0; i < p.Length; i++) { s[0][i] = 0.9 * s[0][i] + g[i]; p[i] -= 0.01 * (g[i] + 0.9 * s[0][i]); }
        }),
        ["SgdNesterovDecay"] = (ps => new Sgd(ps, lr: 0.05, momentum: 0.5, nesterov: true, weightDecay: 0.1), (p, g, s, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] + 0.1 * p[i];
                s[0][i] = 0.5 * s[0][i] + gi;
                p[i] -= 0.05 * (gi + 0.5 * s[0][i]);
            }
        }),
        ["AdaGrad"] = (ps => new AdaGrad(ps, lr: 0.5), (p, g, s, t) =>
        {
            for (int i = 0; i < p.Length; i++) { s[0][i] += g[i] * g[i]; p[i] -= 0.5 * g[i] / (Math.Sqrt(s[0][i]) + 1e-7); }
        }),
        ["RmsProp"] = (ps => new RmsProp(ps, lr: 0.01, decayRate: 0.99), (p, g, s, t) =>
        {
            for (int i = 0; i < p.Length; i++) { s[0][i] = 0.99 * s[0][i] + 0.01 * g[i] * g[i]; p[i] -= 0.01 * g[i] / (Math.Sqrt(s[0][i]) + 1e-7); }
        }),
        ["Adam"] = (ps => new Adam(ps, lr: 0.001), (p, g, s, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                s[0][i] = 0.9 * s[0][i] + 0.1 * g[i];
                s[1][i] = 0.999 * s[1][i] + 0.001 * g[i] * g[i];
                p[i] -= 0.001 * (s[0][i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(s[1][i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
        }),
    };

    /// <summary>Where Update follows DLfS's formula rather than the Step one: Adam's bias correction folded into lr_t (eps as constructed, 1e-8 here).</summary>
    private static readonly Dictionary<string, Rule> UpdateRules = new()
    {
        ["Adam"] = (p, g, s, t) =>
        {
            double lrT = 0.001 * Math.Sqrt(1.0 - Math.Pow(0.999, t)) / (1.0 - Math.Pow(0.9, t));
            for (int i = 0; i < p.Length; i++)
            {
                s[0][i] += (1 - 0.9) * (g[i] - s[0][i]);
                s[1][i] += (1 - 0.999) * (g[i] * g[i] - s[1][i]);
                p[i] -= lrT * s[0][i] / (Math.Sqrt(s[1][i]) + 1e-8);
            }
        },
    };

    private static double[][] Gradients(int n, ulong seed)
    {
        var g = new Generator(seed);
        return Enumerable.Range(0, Steps).Select(_ => Enumerable.Range(0, n).Select(_ => g.NextNormal()).ToArray()).ToArray();
    }

    private static double[] Reference(string name, double[] p0, double[][] grads, bool update = false)
    {
        var p = (double[])p0.Clone();
        var state = new[] { new double[p.Length], new double[p.Length] };
        var rule = update && UpdateRules.TryGetValue(name, out var r) ? r : Cases[name].Rule;
        for (int t = 1; t <= Steps; t++) rule(p, grads[t - 1], state, t);
        return p;
    }

    [TestCaseSource(nameof(Names))]
    public void UpdateByNameMatchesFormula(string name)
    {
        double[] w0 = [0.5, -1.5, 2.0, 0.25, -0.75, 1.0], b0 = [0.1, -0.2];
        var gw = Gradients(w0.Length, 1);
        var gb = Gradients(b0.Length, 2);
        var parameters = new Dictionary<string, Tensor>
        {
            ["W1"] = Tensor.FromArray((double[])w0.Clone(), [2, 3]),
            ["b1"] = Tensor.FromArray((double[])b0.Clone()),
        };
        var optimizer = Cases[name].Make(null);
        for (int t = 0; t < Steps; t++)
        {
            var grads = new Dictionary<string, Tensor>
            {
                ["W1"] = Tensor.FromArray(gw[t], [2, 3]),
                ["b1"] = Tensor.FromArray(gb[t]),
            };
            optimizer.Update(parameters, grads);
        }
        Assert.That(parameters["W1"].ToDoubleArray(), Is.EqualTo(Reference(name, w0, gw, update: true)).Within(1e-12));
        Assert.That(parameters["b1"].ToDoubleArray(), Is.EqualTo(Reference(name, b0, gb, update: true)).Within(1e-12));
        Assert.That(optimizer.StateOf("W1")!.Step, Is.EqualTo(Steps));
    }

    [TestCaseSource(nameof(Names))]
    public void StepOverGradsMatchesFormula(string name)
    {
        double[] w0 = [0.5, -1.5, 2.0, 0.25];
        var gw = Gradients(w0.Length, 3);
        var w = Tensor.FromArray((double[])w0.Clone(), [2, 2]).RequiresGrad_();
        var frozen = Tensor.FromArray(new[] { 1.0, 2.0 }).RequiresGrad_(); // never gets a gradient: skipped
        var optimizer = Cases[name].Make([w, frozen]);
        for (int t = 0; t < Steps; t++)
        {
            w.Grad = Tensor.FromArray(gw[t], [2, 2]);
            optimizer.Step();
            optimizer.ZeroGrad();
            Assert.That(w.Grad, Is.Null);
        }
        Assert.That(w.ToDoubleArray(), Is.EqualTo(Reference(name, w0, gw)).Within(1e-12));
        Assert.That(frozen.ToDoubleArray(), Is.EqualTo(new[] { 1.0, 2.0 }));
        Assert.That(optimizer.StateOf(frozen), Is.Null);
    }

    [TestCaseSource(nameof(Names))]
    public void Float32MatchesFloat64ToSinglePrecision(string name)
    {
        double[] w0 = [0.5, -1.5, 2.0, 0.25];
        var gw = Gradients(w0.Length, 4);
        var w = Tensor.FromArray(w0.Select(v => (float)v).ToArray());
        var optimizer = Cases[name].Make(null);
        for (int t = 0; t < Steps; t++)
            optimizer.Update(new Dictionary<string, Tensor> { ["w"] = w }, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray(gw[t].Select(v => (float)v).ToArray()) });
        Assert.That(w.ToDoubleArray(), Is.EqualTo(Reference(name, w0, gw)).Within(1e-5));
    }

    public static IEnumerable<string> Names => Cases.Keys;

    [Test]
    public void AutogradGradientsDriveStep()
    {
        // minimise (w − 3)² with autograd and Adam: the PyTorch loop
        var w = Tensor.FromArray(new[] { 0.0 }).RequiresGrad_();
        var optimizer = new Adam([w], lr: 0.1);
        for (int i = 0; i < 300; i++)
        {
            optimizer.ZeroGrad();
            var loss = (w - 3.0).Square().Sum();
            loss.Backward();
            optimizer.Step();
        }
        Assert.That(w.Item(), Is.EqualTo(3.0).Within(0.05));
    }

    [Test]
    public void LearningRateCanChangeBetweenSteps()
    {
        var p = new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(new[] { 1.0 }) };
        var g = new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(new[] { 1.0 }) };
        var sgd = new Sgd(lr: 0.1);
        sgd.Update(p, g);
        sgd.LearningRate *= 0.9;
        sgd.Update(p, g);
        Assert.That(p["x"].Item(), Is.EqualTo(1.0 - 0.1 - 0.09).Within(1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1);
    }

    [Test]
    public void StateSurvivesTensorScopes()
    {
        var w = Tensor.FromArray(new[] { 1.0, 2.0 });
        var adam = new Adam(lr: 0.1);
        for (int i = 0; i < 3; i++)
        {
            using var scope = Tensor.Scope();
            adam.Update(new Dictionary<string, Tensor> { ["w"] = w }, new Dictionary<string, Tensor> { ["w"] = Tensor.FromArray(new[] { 0.5, -0.5 }) });
        }
        var state = adam.StateOf("w")!;
        Assert.That(state.Step, Is.EqualTo(3));
        Assert.That(state.Slots["m"].IsDisposed, Is.False);
        Assert.That(state.Slots["v"].ToDoubleArray()[0], Is.GreaterThan(0));
    }

    [Test]
    public void BadInputGivesClearExceptions()
    {
        var adam = new Adam();
        var p = new Dictionary<string, Tensor> { ["W1"] = Tensor.Zeros([2, 3], DType.Float64) };
        var e = Assert.Throws<ArgumentException>(() => adam.Update(p, new Dictionary<string, Tensor> { ["W2"] = Tensor.Zeros([2, 3], DType.Float64) }))!;
        Assert.That(e.Message, Does.Contain("Adam.Update").And.Contain("'W1'"));
        e = Assert.Throws<ArgumentException>(() => adam.Update(p, new Dictionary<string, Tensor> { ["W1"] = Tensor.Zeros([3, 2], DType.Float64) }))!;
        Assert.That(e.Message, Does.Contain("Adam").And.Contain("[3, 2]").And.Contain("[2, 3]"));
        var e2 = Assert.Throws<InvalidOperationException>(() => adam.Update(p, new Dictionary<string, Tensor> { ["W1"] = Tensor.Zeros([2, 3]) }))!;
        Assert.That(e2.Message, Does.Contain("float32").And.Contain("float64"));
        e2 = Assert.Throws<InvalidOperationException>(() => new Sgd(lr: 0.1).Step())!;
        Assert.That(e2.Message, Does.Contain("Sgd.Step"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum(lr: 0.1, momentum: 1.5));
        Assert.Throws<ArgumentException>(() => new Sgd([Tensor.Zeros([2], DType.Int32)], lr: 0.1));
    }
}
