using System.Text.Json;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Optim;

/// <summary>
/// <see cref="Lbfgs"/> against scipy 1.10's fmin_l_bfgs_b (tests/fixtures/lbfgs/lbfgs_fixtures.json, written by
/// tests/fixtures/lbfgs/make_fixtures.py): the same optimum on Rosenbrock (2, 5, 10 dimensions) and a 20-D
/// quadratic, evaluation counts within a factor of two of scipy's, and the notebook's contract — 20 calls of
/// maxfun 20 from the previous result, never more than 20 evaluations per call, the best point returned.
/// </summary>
public class LbfgsTests
{
    private static readonly Lazy<JsonElement[]> All = new(() => Fixtures.Cases("tests/fixtures/lbfgs/lbfgs_fixtures.json"));

    private static JsonElement[] Cases(string op) => All.Value.Where(c => c.GetProperty("op").GetString() == op).ToArray();

    private static double[] D(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>scipy.optimize.rosen and rosen_der: Σ 100(x_{i+1} − x_i²)² + (1 − x_i)².</summary>
    internal static (double, double[]) Rosen(double[] x)
    {
        double f = 0;
        var g = new double[x.Length];
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double t = x[i + 1] - x[i] * x[i], u = 1 - x[i];
            f += 100 * t * t + u * u;
            g[i] += -400 * x[i] * t - 2 * u;
            g[i + 1] += 200 * t;
        }
        return (f, g);
    }

    [Test]
    public void RosenbrockReachesScipysOptimumWithComparableEvaluations()
    {
        var cases = Cases("rosenbrock");
        Assert.That(cases, Has.Length.EqualTo(3));
        foreach (var c in cases)
        {
            int n = c.GetProperty("n").GetInt32(), scipyEvals = c.GetProperty("nfev").GetInt32();
            var r = Lbfgs.Minimize(Rosen, D(c, "x0"));
            TestContext.Out.WriteLine($"rosenbrock n={n}: f {r.F:E3} after {r.FunctionEvaluations} evaluations, {r.Iterations} iterations ({r.Message}); scipy f {c.GetProperty("f").GetDouble():E3}, {scipyEvals} evaluations");
            Assert.That(r.Converged, Is.True, r.Message);
            Assert.That(r.F, Is.LessThan(1e-8));
            var sx = D(c, "x");
            for (int i = 0; i < n; i++) Assert.That(r.X[i], Is.EqualTo(sx[i]).Within(1e-4), $"n={n} x[{i}]");
            Assert.That(r.FunctionEvaluations, Is.InRange(scipyEvals / 2, scipyEvals * 2), $"n={n}: evaluations vs scipy's {scipyEvals}");
        }
    }

    [Test]
    public void QuadraticReachesTheSolutionOfAxEqualsB()
    {
        var c = Cases("quadratic").Single();
        double[] a = D(c, "a"), b = D(c, "b"), exact = D(c, "exact");
        int n = b.Length, scipyEvals = c.GetProperty("nfev").GetInt32();
        (double, double[]) Quadratic(double[] x)
        {
            var ax = new double[n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) ax[i] += a[i * n + j] * x[j];
            double f = 0;
            for (int i = 0; i < n; i++) f += 0.5 * x[i] * ax[i] - b[i] * x[i];
            return (f, ax.Select((v, i) => v - b[i]).ToArray());
        }
        var r = Lbfgs.Minimize(Quadratic, new double[n]);
        TestContext.Out.WriteLine($"quadratic: f {r.F:R} after {r.FunctionEvaluations} evaluations; scipy {c.GetProperty("f").GetDouble():R} after {scipyEvals}");
        Assert.That(r.F, Is.EqualTo(c.GetProperty("f").GetDouble()).Within(1e-9));
        // Both stop on the relative decrease of f (factr·ε ≈ 2.2e-9), which leaves x about 6e-5 from A⁻¹b for scipy
        // (the condition number of A is about 70): the same 1e-4 bound holds for both.
        double scipyError = D(c, "x").Select((v, i) => Math.Abs(v - exact[i])).Max();
        Assert.That(scipyError, Is.LessThan(1e-4));
        for (int i = 0; i < n; i++) Assert.That(r.X[i], Is.EqualTo(exact[i]).Within(1e-4), $"x[{i}]");
        Assert.That(r.FunctionEvaluations, Is.InRange(scipyEvals / 2, scipyEvals * 2));
    }

    [Test]
    public void TheNotebooksLoopNeverPassesMaxfunAndEndsWhereScipyDoes()
    {
        var c = Cases("chollet").Single();
        var scipyF = D(c, "f");
        var x = D(Cases("rosenbrock").Single(k => k.GetProperty("n").GetInt32() == 10), "x0");
        double last = double.PositiveInfinity;
        var fs = new List<double>();
        for (int it = 0; it < 20; it++)
        {
            int calls = 0;
            var r = Lbfgs.Minimize(v => { calls++; return Rosen(v); }, x, maxfun: 20);
            Assert.That(calls, Is.LessThanOrEqualTo(20), $"call {it}");
            Assert.That(r.FunctionEvaluations, Is.EqualTo(calls));
            Assert.That(r.F, Is.LessThanOrEqualTo(last), $"call {it}: the value rose");
            last = r.F;
            fs.Add(r.F);
            TestContext.Out.WriteLine($"call {it}: {r.FunctionEvaluations} evaluations, {r.Iterations} iterations, {r.Message}");
            x = r.X;
        }
        TestContext.Out.WriteLine("engine: " + string.Join(", ", fs.Select(f => f.ToString("E2"))));
        TestContext.Out.WriteLine("scipy:  " + string.Join(", ", scipyF.Select(f => f.ToString("E2"))));
        Assert.That(last, Is.LessThan(1e-6), "scipy ends at " + scipyF[^1].ToString("E2"));
    }

    [Test]
    public void StoppedByMaxfunItReturnsTheBestPointEvaluated()
    {
        foreach (int maxfun in new[] { 1, 2, 3, 7, 13 })
        {
            double best = double.PositiveInfinity;
            var r = Lbfgs.Minimize(v => { var (f, g) = Rosen(v); best = Math.Min(best, f); return (f, g); }, [-1.2, 1, -1.2, 1], maxfun: maxfun);
            Assert.That(r.FunctionEvaluations, Is.LessThanOrEqualTo(maxfun));
            Assert.That(r.F, Is.EqualTo(best), $"maxfun {maxfun}");
            Assert.That(r.F, Is.EqualTo(Rosen(r.X).Item1), $"maxfun {maxfun}: F is f(X)");
        }
    }

    [Test]
    public void BadObjectivesGiveClearErrors()
    {
        Assert.That(() => Lbfgs.Minimize(_ => (double.NaN, new double[2]), [1.0, 2.0]), Throws.InstanceOf<ArithmeticException>().With.Message.Contains("Lbfgs"));
        Assert.That(() => Lbfgs.Minimize(_ => (1.0, new double[3]), [1.0, 2.0]), Throws.ArgumentException.With.Message.Contains("length 3"));
        Assert.That(() => Lbfgs.Minimize(Rosen, [1.0, 2.0], maxfun: 0), Throws.ArgumentException.With.Message.Contains("maxfun"));
    }
}
