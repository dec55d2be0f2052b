using Chapters.Ch24;
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
                    case "Adam":
                        m[k] = 0.9 * m[k] + 0.1 * g[k];
                        s[k] = 0.999 * s[k] + 0.001 * g[k] * g[k];
                        p[k] -= 0.3 * (m[k] / (1 - Math.Pow(0.9, step))) / (Math.Sqrt(s[k] / (1 - Math.Pow(0.999, step))) + 1e-8);
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
        foreach (var (name, optimizer) in OptimizerComparison.ToyOptimizers())
        {
            var (x, y) = OptimizerComparison.ToyPath(optimizer);
            var (rx, ry) = Reference(name);
            Assert.That(x, Has.Length.EqualTo(31));
            Assert.That(x, Is.EqualTo(rx).Within(1e-12), name);
            Assert.That(y, Is.EqualTo(ry).Within(1e-12), name);
        }
    }

    [Test]
    public void EndPointsMatchNumPy()
    {
        // printed by DLfS's optimizer classes in NumPy (float64), 30 steps
        var numpy = new Dictionary<string, (double X, double Y)>
        {
            ["SGD"] = (-0.3503929957523197, 0.0847823165504322),
            ["Momentum"] = (0.896413858493733, 0.08808560171506971),
            ["AdaGrad"] = (-0.12016232231416045, 2.486389893984459e-17),
            ["Adam"] = (0.13601461732623282, 0.3182453888963097),
        };
        foreach (var (name, optimizer) in OptimizerComparison.ToyOptimizers())
        {
            var (x, y) = OptimizerComparison.ToyPath(optimizer);
            Assert.That(x[^1], Is.EqualTo(numpy[name].X).Within(1e-12), name);
            Assert.That(y[^1], Is.EqualTo(numpy[name].Y).Within(1e-12), name);
        }
    }
}
