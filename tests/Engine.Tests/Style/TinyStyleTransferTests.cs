using System.Text.Json;
using Chapters;
using Chapters.Ch23;
using Engine.Functional;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// A tiny style-transfer problem (two conv layers, a 12×16 image; tests/fixtures/style/make_tiny_transfer.py)
/// solved by the engine — StyleTransferLoss and the 23.3 loop of L-BFGS calls — and by PyTorch 1.13 with
/// scipy 1.10's fmin_l_bfgs_b. The initial loss and gradient agree to 1e-10 (the same float64 arithmetic).
/// After that the two L-BFGS implementations take different step lengths (Moré–Thuente's dcsrch in scipy,
/// Nocedal–Wright's bracketing and zoom here), so the losses after each call agree only to a few percent.
/// </summary>
public class TinyStyleTransferTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        const string rel = "tests/fixtures/style/tiny_transfer.json";
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, rel))) dir = dir.Parent;
        if (dir is null) throw new FileNotFoundException($"{rel} not found above {AppContext.BaseDirectory}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, rel)));
        return doc.RootElement.Clone();
    });

    private static double[] D(string name) => Fixture.Value.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static StyleTransferLoss Problem(out double[] x0)
    {
        int h = Fixture.Value.GetProperty("h").GetInt32(), w = Fixture.Value.GetProperty("w").GetInt32();
        var w1 = Tensor.FromArray(D("w1"), [4, 3, 3, 3]);
        var b1 = Tensor.FromArray(D("b1"), [4]);
        var w2 = Tensor.FromArray(D("w2"), [8, 4, 3, 3]);
        var b2 = Tensor.FromArray(D("b2"), [8]);
        IReadOnlyDictionary<string, Tensor> Features(Tensor x)
        {
            var r1 = F.Conv2d(x, w1, b1, padding: 1).Relu();
            var r2 = F.Conv2d(F.MaxPool2d(r1, 2), w2, b2, padding: 1).Relu();
            return new Dictionary<string, Tensor> { ["r1"] = r1, ["r2"] = r2 };
        }
        x0 = D("content");
        var content = Tensor.FromArray(x0, [1, 3, h, w]);
        var style = Tensor.FromArray(D("style"), [1, 3, h, w]);
        return new StyleTransferLoss(Features, "r2", ["r1", "r2"], content, style);
    }

    [Test]
    public void InitialLossAndGradientMatchPyTorch()
    {
        using var loss = Problem(out var x0);
        var (f, g) = loss.LossAndGradient(x0);
        double want = Fixture.Value.GetProperty("initial_loss").GetDouble();
        Assert.That(f, Is.EqualTo(want).Within(1e-10 * Math.Abs(want)));
        var wg = D("initial_grad");
        double scale = wg.Max(Math.Abs);
        for (int i = 0; i < g.Length; i++) Assert.That(g[i], Is.EqualTo(wg[i]).Within(1e-10 * scale), $"grad[{i}]");
    }

    [Test]
    public void BadSetupsAreReportedByName()
    {
        using var loss = Problem(out var x0);
        Assert.That(() => loss.LossAndGradient(new double[x0.Length - 1]), Throws.ArgumentException.With.Message.Contains("pixels"));
        var image = Tensor.Zeros([1, 3, 12, 16], DType.Float64);
        var other = Tensor.Zeros([1, 3, 12, 15], DType.Float64);
        IReadOnlyDictionary<string, Tensor> Identity(Tensor x) => new Dictionary<string, Tensor> { ["x"] = x };
        Assert.That(() => new StyleTransferLoss(Identity, "x", ["x"], image, other), Throws.ArgumentException.With.Message.Contains("same shape"));
        Assert.That(() => new StyleTransferLoss(Identity, "missing", ["x"], image, image), Throws.ArgumentException.With.Message.Contains("'missing'"));
        Assert.That(() => new StyleTransferLoss(Identity, "x", [], image, image), Throws.ArgumentException.With.Message.Contains("style layer"));
    }

    /// <summary>
    /// scipy checks maxfun only when an iteration ends and used 21 evaluations in each call; given the same 21 the
    /// engine's losses after each call were within 2.4% of scipy's (0.15% after the first call), so 3% is asserted.
    /// </summary>
    [Test]
    public void WithScipysEvaluationCountsTheLossesFollowScipys()
    {
        var want = D("losses");
        var nfev = Fixture.Value.GetProperty("nfev").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.That(nfev, Is.All.EqualTo(21));
        var losses = Solve(maxfun: 21, out var evaluations, out _);
        for (int i = 0; i < 5; i++) Assert.That(losses[i], Is.EqualTo(want[i]).Within(0.03 * want[i]), $"after call {i}");
        Assert.That(evaluations, Is.EqualTo(5 * 21));
    }

    /// <summary>
    /// The notebook's contract, strictly: at most 20 evaluations per call, where scipy's count lets it take one more,
    /// so the engine's losses are asserted within 5% of scipy's; the loss falls every call.
    /// </summary>
    [Test]
    public void FiveCallsOfMaxfun20FallEveryCallAndEndNearScipy()
    {
        var want = D("losses");
        var losses = Solve(maxfun: 20, out var evaluations, out string output);
        for (int i = 0; i < 5; i++) Assert.That(losses[i], Is.EqualTo(want[i]).Within(0.05 * want[i]), $"after call {i}");
        for (int i = 1; i < 5; i++) Assert.That(losses[i], Is.LessThan(losses[i - 1]), $"call {i}");
        Assert.That(evaluations, Is.LessThanOrEqualTo(5 * 20));
        Assert.That(output, Does.Contain("Current loss value").And.Contain("20/20 evaluations"));
    }

    private static List<double> Solve(int maxfun, out int evaluations, out string output)
    {
        using var loss = Problem(out var x0);
        var writer = new StringWriter();
        var ctx = new ExerciseContext("23.3", Device.Cpu, quick: true, seed: 0, Path.GetTempPath(), writer);
        var losses = Ex23_3_NeuralStyleTransfer.Run(ctx, loss, x0, 5, maxfun, null, out _);
        TestContext.Out.WriteLine($"engine (maxfun {maxfun}): " + string.Join(", ", losses.Select(v => v.ToString("F2"))));
        TestContext.Out.WriteLine("scipy:  " + string.Join(", ", D("losses").Select(v => v.ToString("F2"))));
        evaluations = loss.Evaluations;
        output = writer.ToString();
        return losses;
    }
}
