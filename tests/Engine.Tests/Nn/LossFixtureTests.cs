using System.Text.Json;
using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Nn;

/// <summary>
/// The losses of <see cref="F"/> against PyTorch 1.13 (tests/fixtures/nn_cross_entropy.json and
/// nn_losses.json, written by tests/fixtures/make_fixtures_nn.py): loss values and the gradients of
/// Σ loss ⊙ r for input and (float) target. Every element within 1e-12·|expected| in float64 (plus
/// 1e-15·max|expected| for elements that cancel to near zero) and 1e-5 relative in float32 (plus
/// 1e-6·max(max|expected|, 1): a float32 softmax of one class is 1 − 1 ulp, so its gradient 1.2e-7, not 0).
/// </summary>
public class LossFixtureTests
{
    private static JsonElement[] Cases(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "fixtures", file))) dir = dir.Parent;
        Assert.That(dir, Is.Not.Null, $"tests/fixtures/{file} not found above {AppContext.BaseDirectory}");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir!.FullName, "tests", "fixtures", file)));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    private static double[] D(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();
    private static int[] Shape(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    [TestCase("nn_cross_entropy.json", 98)]
    [TestCase("nn_losses.json", 180)]
    public void MatchesPyTorch(string file, int count)
    {
        var cases = Cases(file);
        Assert.That(cases, Has.Length.EqualTo(count));
        foreach (var c in cases) Check(c);
        TestContext.Out.WriteLine($"{file}: {cases.Length} cases match PyTorch 1.13");
    }

    private static void Check(JsonElement c)
    {
        var dtype = c.GetProperty("dtype").GetString() == "float64" ? DType.Float64 : DType.Float32;
        string loss = c.GetProperty("loss").GetString()!;
        var kw = c.GetProperty("kwargs");
        string reduction = kw.GetProperty("reduction").GetString()!;
        var input = Tensor.FromDoubles(D(c.GetProperty("input")), Shape(c.GetProperty("input_shape")), dtype, null, requiresGrad: true);
        var targetShape = Shape(c.GetProperty("target_shape"));
        bool floatTarget = c.GetProperty("target_kind").GetString() == "float";
        bool targetGrad = c.TryGetProperty("grad_target", out var gradTarget);
        var target = floatTarget
            ? Tensor.FromDoubles(D(c.GetProperty("target")), targetShape, dtype, null, requiresGrad: targetGrad)
            : Tensor.FromArray(D(c.GetProperty("target")).Select(v => (long)v).ToArray(), targetShape);
        Tensor? Extra(string name) => c.GetProperty("tensors").TryGetProperty(name, out var t)
            ? Tensor.FromDoubles(D(t.GetProperty("data")), Shape(t.GetProperty("shape")), dtype, null) : null;
        long ignoreIndex = kw.TryGetProperty("ignore_index", out var ii) ? ii.GetInt64() : -100;
        double Num(string name, double fallback) => kw.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;

        var output = loss switch
        {
            "cross_entropy" => F.CrossEntropy(input, target, Extra("weight"), ignoreIndex, reduction, Num("label_smoothing", 0)),
            "nll_loss" => F.NllLoss(input, target, Extra("weight"), ignoreIndex, reduction),
            "mse_loss" => F.MseLoss(input, target, reduction),
            "l1_loss" => F.L1Loss(input, target, reduction),
            "smooth_l1_loss" => F.SmoothL1Loss(input, target, reduction, Num("beta", 1)),
            "binary_cross_entropy" => F.BinaryCrossEntropy(input, target, Extra("weight"), reduction),
            "binary_cross_entropy_with_logits" => F.BinaryCrossEntropyWithLogits(input, target, Extra("weight"), reduction, Extra("pos_weight")),
            "kl_div" => F.KlDiv(input, target, reduction, kw.TryGetProperty("log_target", out var lt) && lt.GetBoolean()),
            _ => throw new AssertionException("unknown loss " + loss),
        };
        string what = $"{loss} {dtype.Name()} {kw} input {Tensor.ShapeString(input.Shape)}";
        Assert.That(output.Shape, Is.EqualTo(Shape(c.GetProperty("out_shape"))), what + " output shape");
        var r = Tensor.FromDoubles(D(c.GetProperty("upstream")), Shape(c.GetProperty("upstream_shape")), dtype, null);
        (output * r).Sum().Backward();
        double rel = dtype == DType.Float64 ? 1e-12 : 1e-5, floor = dtype == DType.Float64 ? 1e-15 : 1e-6;
        Close(output.ToDoubleArray(), D(c.GetProperty("out")), rel, floor, what + " loss");
        Close(input.Grad!.ToDoubleArray(), D(c.GetProperty("grad_input")), rel, floor, what + " d/d input");
        if (targetGrad) Close(target.Grad!.ToDoubleArray(), D(gradTarget), rel, floor, what + " d/d target");
    }

    /// <summary>|a − b| ≤ rel·|b| + floor·max|b| for every element (NaN only where PyTorch has NaN).</summary>
    private static void Close(double[] actual, double[] expected, double rel, double floor, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double scale = expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (rel > 1e-12) scale = Math.Max(scale, 1);
        for (int i = 0; i < actual.Length; i++)
        {
            if (double.IsNaN(expected[i])) { Assert.That(actual[i], Is.NaN, $"{what} [{i}]"); continue; }
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(rel * Math.Abs(expected[i]) + floor * scale), $"{what} [{i}]");
        }
    }
}
