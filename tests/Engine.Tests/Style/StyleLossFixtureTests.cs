using System.Text.Json;
using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// Chapter 23's losses against PyTorch 1.13 in float64 (tests/fixtures/style/style_fixtures.json, written by
/// tests/fixtures/style/make_fixtures.py): values and gradients within 1e-10 relative (of max(1, |expected|)).
/// </summary>
public class StyleLossFixtureTests
{
    private const double Tol = 1e-10;

    private static readonly Lazy<JsonElement[]> All = new(() => Fixtures.Cases("tests/fixtures/style/style_fixtures.json"));

    private static JsonElement[] Cases(string op) => All.Value.Where(c => c.GetProperty("op").GetString() == op).ToArray();

    private static double[] D(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static int[] S(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static Tensor Leaf(JsonElement c, string name, string shape = "shape") =>
        Tensor.FromDoubles(D(c, name), S(c, shape), DType.Float64, null, requiresGrad: true);

    private static void Close(double actual, double expected, string what) =>
        Assert.That(actual, Is.EqualTo(expected).Within(Tol * Math.Max(1, Math.Abs(expected))), what);

    private static void Close(Tensor? actual, JsonElement c, string name, string what)
    {
        Assert.That(actual, Is.Not.Null, $"{what}: no {name}");
        var a = actual!.ToDoubleArray();
        var e = D(c, name);
        Assert.That(a, Has.Length.EqualTo(e.Length), $"{what} {name} length");
        for (int i = 0; i < a.Length; i++) Close(a[i], e[i], $"{what} {name}[{i}]");
    }

    [Test]
    public void ContentLossMatchesPyTorch()
    {
        var cases = Cases("content");
        Assert.That(cases, Has.Length.EqualTo(2));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var a = Leaf(c, "a");
            var b = Leaf(c, "b");
            var loss = F.ContentLoss(a, b);
            Close(loss.Item(), c.GetProperty("value").GetDouble(), "content value");
            loss.Backward();
            Close(a.Grad, c, "da", "content");
            Close(b.Grad, c, "db", "content");
        }
    }

    [Test]
    public void GramMatchesPyTorch()
    {
        var cases = Cases("gram");
        Assert.That(cases, Has.Length.EqualTo(3));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var shape = S(c, "shape");
            var x = Leaf(c, "x");
            // [C, H, W] is not a Gram input (it reads as a batch of [C, L] maps): the fixture's [3, 5, 6] is one map [3, 30].
            var input = shape.Length == 3 ? x.Reshape(shape[0], shape[1] * shape[2]) : x;
            var g = F.Gram(input);
            Assert.That(g.Shape, Is.EqualTo(S(c, "gram_shape")));
            Close(g, c, "gram", "gram");
            using var r = Tensor.FromDoubles(D(c, "r"), S(c, "gram_shape"), DType.Float64, null);
            (g * r).Sum().Backward();
            Close(x.Grad, c, "dx", "gram");
        }
    }

    [Test]
    public void StyleLossMatchesPyTorchInBothForms()
    {
        var cases = Cases("style");
        Assert.That(cases, Has.Length.EqualTo(4));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var s = Leaf(c, "style");
            var comb = Leaf(c, "combination");
            var loss = c.GetProperty("form").GetString() == "book"
                ? F.StyleLoss(s, comb, c.GetProperty("img_h").GetInt32(), c.GetProperty("img_w").GetInt32())
                : F.StyleLossPerLayer(s, comb);
            Close(loss.Item(), c.GetProperty("value").GetDouble(), "style value");
            loss.Backward();
            Close(s.Grad, c, "dstyle", "style");
            Close(comb.Grad, c, "dcombination", "style");
        }
    }

    [Test]
    public void TotalVariationLossMatchesPyTorch()
    {
        var cases = Cases("tv");
        Assert.That(cases, Has.Length.EqualTo(3));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var x = Leaf(c, "x");
            var loss = F.TotalVariationLoss(x);
            Assert.That(loss.Size, Is.EqualTo(1));
            Close(loss.Item(), c.GetProperty("value").GetDouble(), "tv value");
            loss.Backward();
            Close(x.Grad, c, "dx", "tv");
        }
    }
}
