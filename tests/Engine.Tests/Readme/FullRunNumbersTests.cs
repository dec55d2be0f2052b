using System.Numerics;
using NUnit.Framework;

namespace Engine.Tests.Readme;

/// <summary>
/// The numbers README prints for the full (not --quick) runs of the deterministic exercises, pinned as
/// the exact strings `chapters run &lt;id&gt;` prints with the default seed 0 on the CPU. Where the last digit
/// may move with the SIMD width (float32 sums whose order follows Vector&lt;float&gt;.Count), the exact string
/// is asserted on this project's AVX2 machines (8 floats per vector) and an accuracy floor elsewhere.
/// </summary>
[TestFixture]
public sealed class FullRunNumbersTests
{
    private static string Run(string id)
    {
        var ctx = TestRun.Exercise(id, quick: false, ("seed", "0"));
        foreach (var c in ctx.Checks) Assert.That(c.Pass, Is.True, $"{id} {c.What}: book {c.Book}, engine {c.Engine}");
        return ctx.Out.ToString()!;
    }

    private static void Lines(string output, params string[] lines)
    {
        var printed = output.Split('\n').Select(l => l.TrimEnd('\r')).ToHashSet();
        foreach (var line in lines) Assert.That(printed, Does.Contain(line), output);
    }

    [TestCase("20.3.3")]
    [TestCase("20.3.4")]
    [TestCase("20.3.5")]
    [TestCase("20.3.6")]
    public void TwoLayerNetLossesOf203(string id)
    {
        string output = Run(id);
        Lines(output, "99 426.172", "199 1.44606", "299 0.00787479", "399 0.000181667", "499 3.36958E-05",
            "first loss 2.99532E+07, last loss 3.36958E-05, fell 8.8893E+11x in 500 steps");
        if (id == "20.3.4") Lines(output, "max relative difference autograd vs manual gradients: 0.00E+000");
        if (id is "20.3.5" or "20.3.6") Lines(output, "500 of 500 losses identical to 20.3.4's");
        if (id == "20.3.6") Assert.That(output, Does.Contain("graph: 2 placeholders, 2 variables, 22 ops (MatMul×5, Unary.Relu, "));
    }

    [Test]
    public void NnAndAdamLossesOf2037And2038()
    {
        Lines(Run("20.3.7"), "99 2.39388", "499 1.31967E-06", "first loss 673.34, last loss 1.31967E-06, fell 5.10232E+08x in 500 steps");
        Lines(Run("20.3.8"), "99 48.2565", "499 8.40839E-08", "first loss 673.34, last loss 8.40839E-08, fell 8.00795E+09x in 500 steps");
    }

    [Test]
    public void DataParallelBostonOf252()
    {
        Lines(Run("25.2"), "epoch 1: train MSE 555.4508", "epoch 50: train MSE 9.6319", "epoch 100: train MSE 8.4063",
            "test MSE after 100 epochs: 17.3980");
    }

    [Test]
    public void ReducedPrecisionTableOf253()
    {
        Lines(Run("25.3"),
            "  float32                        8.4063    17.3980              0.0000%               0             -",
            "  float16, no loss scaling       8.3734    17.6006              0.0000%               0             -",
            "  float16 + GradScaler           8.4484    17.0133              0.0000%               8           512",
            "  bfloat16, no loss scaling      8.8177    18.0633              0.0000%               0             -");
    }

    [Test]
    public void TwoLayerNetOnMnistOf245()
    {
        string output = Run("24.5");
        string last = output.Split('\n').Last(l => l.StartsWith("train acc, test acc | ", StringComparison.Ordinal));
        Assert.That(last, Does.Contain("(epoch 17, iteration 10000,"));
        if (Vector<float>.Count == 8) Assert.That(last, Does.StartWith("train acc, test acc | 0.9805, 0.9733   "));
        else
        {
            var acc = last["train acc, test acc | ".Length..].Split("   ")[0].Split(", ").Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.That(acc[0], Is.GreaterThanOrEqualTo(0.975));
            Assert.That(acc[1], Is.GreaterThanOrEqualTo(0.97));
        }
    }
}
