using System.Text.Json;
using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>
/// Conv2d, Im2Col, MaxPool2d, AvgPool2d, GlobalAvgPool2d and BatchNorm (train and eval), forward and
/// backward, against PyTorch 1.13 (tests/fixtures/conv/conv_fixtures.json, written by
/// tests/fixtures/conv/make_fixtures.py), fixed and random geometries (batch 1–17, (h, w) pairs, dilation,
/// groups, ceil_mode, count_include_pad, divisor_override): every element within 1e-12·|expected| +
/// 1e-15·max|expected| in float64, 1e-4·|expected| + 1e-5·max(max|expected|, 1) in float32.
/// </summary>
public class ConvFixtureTests
{
    private static readonly Lazy<JsonElement[]> All = new(() => Fixtures.Cases("tests/fixtures/conv/conv_fixtures.json"));

    private static IEnumerable<JsonElement> Cases(string op) => All.Value.Where(c => c.GetProperty("op").GetString() == op);

    private static double[] D(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
    private static int[] S(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => v.GetInt32()).ToArray();
    private static int I(JsonElement c, string name) => c.GetProperty(name).GetInt32();
    private static DType Dt(JsonElement c) => c.GetProperty("dtype").GetString() == "float64" ? DType.Float64 : DType.Float32;
    private static (int H, int W) P(JsonElement c, string name) { var v = S(c, name); return (v[0], v[1]); }

    private static Tensor Leaf(JsonElement c, string name, string shape, bool grad = true) =>
        Tensor.FromDoubles(D(c, name), S(c, shape), Dt(c), null, requiresGrad: grad);

    /// <summary>Backward of Σ y ⊙ r with the fixture's upstream r.</summary>
    private static void Backward(JsonElement c, Tensor y)
    {
        using var r = Tensor.FromDoubles(D(c, "r"), S(c, "y_shape"), Dt(c), null);
        (y * r).Sum().Backward();
    }

    private static void Close(Tensor? actual, JsonElement c, string name, string what)
    {
        Assert.That(actual, Is.Not.Null, $"{what}: no {name}");
        var a = actual!.ToDoubleArray();
        var e = D(c, name);
        bool f64 = Dt(c) == DType.Float64;
        double rel = f64 ? 1e-12 : 1e-4, scale = e.Select(Math.Abs).DefaultIfEmpty(0).Max();
        double floor = f64 ? 1e-15 * scale : 1e-5 * Math.Max(scale, 1);
        Assert.That(a, Has.Length.EqualTo(e.Length), $"{what} {name} length");
        for (int i = 0; i < a.Length; i++)
            Assert.That(a[i], Is.EqualTo(e[i]).Within(rel * Math.Abs(e[i]) + floor), $"{what} {name}[{i}]");
    }

    [Test]
    public void Conv2dMatchesPyTorch()
    {
        var cases = Cases("conv2d").ToArray();
        Assert.That(cases, Has.Length.EqualTo(36));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var x = Leaf(c, "x", "x_shape");
            var w = Leaf(c, "w", "w_shape");
            bool hasBias = c.GetProperty("b").ValueKind != JsonValueKind.Null;
            var b = hasBias ? Tensor.FromDoubles(D(c, "b"), [S(c, "w_shape")[0]], Dt(c), null, requiresGrad: true) : null;
            var (stride, pad, dilation) = (P(c, "stride"), P(c, "padding"), P(c, "dilation"));
            int groups = I(c, "groups");
            string what = $"conv2d {Dt(c).Name()} x{Tensor.ShapeString(S(c, "x_shape"))} w{Tensor.ShapeString(S(c, "w_shape"))} s{stride} p{pad} d{dilation} g{groups}";
            var y = F.Conv2d(x, w, b, stride, pad, dilation, groups);
            Assert.That(y.Shape, Is.EqualTo(S(c, "y_shape")), what);
            Close(y, c, "y", what);
            Backward(c, y);
            Close(x.Grad, c, "dx", what);
            Close(w.Grad, c, "dw", what);
            if (hasBias) Close(b!.Grad, c, "db", what);
        }
    }

    [Test]
    public void Im2ColMatchesTorchUnfold()
    {
        var cases = Cases("im2col").ToArray();
        Assert.That(cases, Has.Length.EqualTo(12));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var x = Leaf(c, "x", "x_shape");
            string what = $"im2col {Dt(c).Name()} x{Tensor.ShapeString(S(c, "x_shape"))} k{I(c, "kh")}×{I(c, "kw")} s{I(c, "stride")} p{I(c, "padding")}";
            var cols = F.Im2Col(x, I(c, "kh"), I(c, "kw"), I(c, "stride"), I(c, "padding"));
            Assert.That(cols.Shape, Is.EqualTo(S(c, "y_shape")), what);
            Close(cols, c, "y", what);
            Backward(c, cols);
            Close(x.Grad, c, "dx", what + " (Col2Im)");
        }
    }

    [TestCase("max_pool2d")]
    [TestCase("avg_pool2d")]
    public void PoolingMatchesPyTorch(string op)
    {
        var cases = Cases(op).ToArray();
        Assert.That(cases, Has.Length.EqualTo(34));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var x = Leaf(c, "x", "x_shape");
            var k = (I(c, "kh"), I(c, "kw"));
            var (stride, pad, dilation) = (P(c, "stride"), P(c, "padding"), P(c, "dilation"));
            bool ceil = c.GetProperty("ceil_mode").GetBoolean(), includePad = c.GetProperty("count_include_pad").GetBoolean();
            int? divisor = c.GetProperty("divisor_override").ValueKind == JsonValueKind.Null ? null : I(c, "divisor_override");
            string what = $"{op} {Dt(c).Name()} x{Tensor.ShapeString(S(c, "x_shape"))} k{k} s{stride} p{pad} d{dilation} ceil={ceil} include_pad={includePad} divisor={divisor}";
            var y = op == "max_pool2d" ? F.MaxPool2d(x, k, stride, pad, dilation, ceil) : F.AvgPool2d(x, k, stride, pad, ceil, includePad, divisor);
            Assert.That(y.Shape, Is.EqualTo(S(c, "y_shape")), what);
            Close(y, c, "y", what);
            Backward(c, y);
            Close(x.Grad, c, "dx", what);
        }
    }

    [Test]
    public void GlobalAvgPoolMatchesAdaptiveAvgPool()
    {
        var cases = Cases("global_avg_pool2d").ToArray();
        Assert.That(cases, Has.Length.EqualTo(8));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            var x = Leaf(c, "x", "x_shape");
            string what = $"global avg pool {Dt(c).Name()} x{Tensor.ShapeString(S(c, "x_shape"))}";
            var y = F.GlobalAvgPool2d(x);
            Assert.That(y.Shape, Is.EqualTo(S(c, "y_shape")), what);
            Close(y, c, "y", what);
            Backward(c, y);
            Close(x.Grad, c, "dx", what);
        }
    }

    [Test]
    public void BatchNormMatchesPyTorch()
    {
        var cases = Cases("batch_norm").ToArray();
        Assert.That(cases, Has.Length.EqualTo(24));
        foreach (var c in cases)
        {
            using var scope = Tensor.Scope();
            bool training = c.GetProperty("training").GetBoolean();
            var x = Leaf(c, "x", "x_shape");
            int ch = S(c, "x_shape")[1];
            var gamma = Tensor.FromDoubles(D(c, "gamma"), [ch], Dt(c), null, requiresGrad: true);
            var beta = Tensor.FromDoubles(D(c, "beta"), [ch], Dt(c), null, requiresGrad: true);
            var rm = Tensor.FromDoubles(D(c, "running_mean"), [ch], Dt(c), null);
            var rv = Tensor.FromDoubles(D(c, "running_var"), [ch], Dt(c), null);
            string what = $"batch_norm {(training ? "train" : "eval")} {Dt(c).Name()} x{Tensor.ShapeString(S(c, "x_shape"))}";
            var y = F.BatchNorm(x, rm, rv, gamma, beta, training, c.GetProperty("momentum").GetDouble(), c.GetProperty("eps").GetDouble());
            Assert.That(y.Shape, Is.EqualTo(S(c, "y_shape")), what);
            Close(y, c, "y", what);
            Close(rm, c, "running_mean_after", what);
            Close(rv, c, "running_var_after", what);
            Backward(c, y);
            Close(x.Grad, c, "dx", what);
            Close(gamma.Grad, c, "dgamma", what);
            Close(beta.Grad, c, "dbeta", what);
        }
    }
}
