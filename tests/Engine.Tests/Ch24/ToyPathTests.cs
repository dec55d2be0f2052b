using Chapters.Ch24;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Ch24;

/// <summary>24.6's toy paths on f = x²/20 + y² from (−7, 2): the engine's optimisers against plain loops of DLfS's formulas.</summary>
public class ToyPathTests
{
    private static (double[] X, double[] Y) Reference(string name)
    {
        double[] p = [-7.0, 2.0], v = [0, 0], h = [0, 0], m = [0, 0], s = [0, 0];
        var xs = new List<double> { p[0] };
        var ys = new List<double> { p[1] };
        for (int step = 1; step <= 30; step++)
        {
            double[] g = [p[0] / 10.0, 2.0 * p[1]];
            for (int k = 0; k < 2; k++)
            {
                switch (name)
                {
                    case "SGD": p[k] -= 0.95 * g[k]; break;
                    case "Momentum": v[k] = 0.9 * v[k] - 0.1 * g[k]; p[k] += v[k]; break; // DLfS's form
                    case "AdaGrad": h[k] += g[k] * g[k]; p[k] -= 1.5 * g[k] / (Math.Sqrt(h[k]) + 1e-7); break;
                    case "Adam": // DLfS's form: the bias correction folded into lr_t, eps 1e-7 beside √v
                        double lrT = 0.3 * Math.Sqrt(1.0 - Math.Pow(0.999, step)) / (1.0 - Math.Pow(0.9, step));
                        m[k] += (1 - 0.9) * (g[k] - m[k]);
                        s[k] += (1 - 0.999) * (g[k] * g[k] - s[k]);
                        p[k] -= lrT * m[k] / (Math.Sqrt(s[k]) + 1e-7);
                        break;
                }
            }
            xs.Add(p[0]);
            ys.Add(p[1]);
        }
        return (xs.ToArray(), ys.ToArray());
    }

    [Test]
    public void PathsMatchPlainLoops()
    {
        foreach (var (name, optimizer) in Ex24_6_OptimizerComparison.ToyOptimizers())
        {
            var (x, y) = Ex24_6_OptimizerComparison.ToyPath(optimizer);
            var (rx, ry) = Reference(name);
            Assert.That(x, Has.Length.EqualTo(31));
            Assert.That(x, Is.EqualTo(rx).Within(1e-12), name);
            Assert.That(y, Is.EqualTo(ry).Within(1e-12), name);
        }
    }

    [Test]
    public void EndPointsMatchNumPy()
    {
        // printed by toy_paths_dlfs.py (beside this file): DLfS's optimizer classes in NumPy (float64), 30 updates
        var numpy = new Dictionary<string, (double X, double Y)>
        {
            ["SGD"] = (-0.3503929957523197, 0.0847823165504322),
            ["Momentum"] = (0.896413858493733, 0.08808560171506971),
            ["AdaGrad"] = (-0.12016232231416045, 2.486389893984459e-17),
            ["Adam"] = (0.13600685239498186, 0.31824537553721943),
        };
        foreach (var (name, optimizer) in Ex24_6_OptimizerComparison.ToyOptimizers())
        {
            var (x, y) = Ex24_6_OptimizerComparison.ToyPath(optimizer);
            Assert.That(x[^1], Is.EqualTo(numpy[name].X).Within(1e-12), name);
            Assert.That(y[^1], Is.EqualTo(numpy[name].Y).Within(1e-12), name);
        }
    }

    [Test]
    public void AdamUpdateIsDlfsAndStepIsPyTorch()
    {
        // One step from x = 1 with g = 0.5, lr = 0.1: DLfS gives 1 − 0.1·√0.001/0.1·0.05/(√0.00025 + 1e-7);
        // PyTorch 1 − 0.1·0.5/(0.5 + 1e-8).
        var x = Tensor.FromArray(new[] { 1.0 });
        new Adam(lr: 0.1).Update(new Dictionary<string, Tensor> { ["x"] = x }, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(new[] { 0.5 }) });
        double lrT = 0.1 * Math.Sqrt(1.0 - 0.999) / (1.0 - 0.9);
        Assert.That(x.Item(), Is.EqualTo(1 - lrT * ((1 - 0.9) * 0.5) / (Math.Sqrt((1 - 0.999) * (0.5 * 0.5)) + 1e-7)));
        var w = Tensor.FromArray(new[] { 1.0 }).RequiresGrad_();
        var adam = new Adam([w], lr: 0.1);
        (w * 0.5).Sum().Backward();
        adam.Step();
        Assert.That(w.Item(), Is.EqualTo(1 - 0.1 * 0.5 / (0.5 + 1e-8)).Within(1e-15));
    }
}
