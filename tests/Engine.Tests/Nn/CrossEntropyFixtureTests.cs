using System.Text.Json;
using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Nn;

/// <summary>
/// CrossEntropyLoss against PyTorch 1.13 (tests/fixtures/nn_cross_entropy.json, written by
/// tests/fixtures/make_fixtures_nn.py): loss and gradient to 1e-5 (float64) / 1e-4 (float32) relative.
/// </summary>
public class CrossEntropyFixtureTests
{
    private static JsonElement[] Cases()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "fixtures", "nn_cross_entropy.json"))) dir = dir.Parent;
        Assert.That(dir, Is.Not.Null, "tests/fixtures/nn_cross_entropy.json not found above " + AppContext.BaseDirectory);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!.FullName, "tests", "fixtures", "nn_cross_entropy.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    private static double[] D(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Test]
    public void MatchesPyTorch()
    {
        var cases = Cases();
        Assert.That(cases, Has.Length.EqualTo(18));
        foreach (var c in cases)
        {
            var dtype = c.GetProperty("dtype").GetString() == "float64" ? DType.Float64 : DType.Float32;
            string kind = c.GetProperty("target_kind").GetString()!, reduction = c.GetProperty("reduction").GetString()!;
            double tol = dtype == DType.Float64 ? 1e-5 : 1e-4;
            var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var logits = Tensor.FromDoubles(D(c, "logits"), shape, dtype, null, requiresGrad: true);
            var target = kind == "labels"
                ? Tensor.FromArray(D(c, "target").Select(v => (long)v).ToArray())
                : Tensor.FromDoubles(D(c, "target"), shape, dtype, null);
            var loss = F.CrossEntropy(logits, target, reduction: reduction);
            var upstream = D(c, "upstream");
            var r = Tensor.FromDoubles(upstream, reduction == "none" ? [upstream.Length] : [], dtype, null);
            (loss * r).Sum().Backward();
            string what = $"{dtype} {kind} {reduction}";
            Close(loss.ToDoubleArray(), D(c, "loss"), tol, what + " loss");
            Close(logits.Grad!.ToDoubleArray(), D(c, "grad"), tol, what + " grad");
        }
    }

    /// <summary>|a − b| ≤ tol·|b| for every element.</summary>
    private static void Close(double[] actual, double[] expected, double tol, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tol * Math.Abs(expected[i])), $"{what} [{i}]");
    }
}
