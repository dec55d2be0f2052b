using Engine.Functional;
using Engine.Nn;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Nn;

/// <summary>
/// Float64 central-difference checks of the PyTorch-style losses (weight, ignore_index, label_smoothing,
/// pos_weight, beta, log_target, every reduction), held to <see cref="ModuleGradientTests.Rtol"/>.
/// </summary>
public class LossGradientTests
{
    private const double Atol = ModuleGradientTests.Atol, Rtol = ModuleGradientTests.Rtol;
    private static readonly string[] Reductions = ["mean", "sum", "none"];

    private static Tensor ClassWeight(int c) => Tensor.FromArray(Enumerable.Range(0, c).Select(i => 0.5 + 0.3 * i).ToArray());

    [Test]
    public void CrossEntropyWithWeightIgnoreIndexAndSmoothingMatchesCentralDifferences()
    {
        var labels = Tensor.FromArray(new long[] { 2, -100, 4, 1, 0, 4 });
        foreach (string red in Reductions)
            foreach (bool weighted in new[] { false, true })
                foreach (double eps in new[] { 0.0, 0.2 })
                {
                    var w = weighted ? ClassWeight(5) : null;
                    GradCheck.Check(x => F.CrossEntropy(x[0], labels, w, reduction: red, labelSmoothing: eps), [GradCheck.Rand([6, 5])],
                        atol: Atol, rtol: Rtol, what: $"CrossEntropy {red} weight={weighted} ε={eps}");
                }
        // ignore_index other than −100, and through the module
        var loss = new CrossEntropyLoss(ClassWeight(5), ignoreIndex: 4, labelSmoothing: 0.1);
        GradCheck.Check(x => loss.Forward(x[0], Tensor.FromArray(new long[] { 2, 3, 4, 1, 0, 4 })), [GradCheck.Rand([6, 5], seed: 3)], atol: Atol, rtol: Rtol, what: "CrossEntropyLoss module");
    }

    [Test]
    public void CrossEntropyWithProbabilityTargetsWeightAndSmoothingMatchesCentralDifferences()
    {
        var t = GradCheck.Rand([4, 3], 0.1, 1, seed: 7);
        var probs = t / t.Sum(1, keepDim: true);
        foreach (string red in Reductions)
        {
            GradCheck.Check(x => F.CrossEntropy(x[0], probs, ClassWeight(3), reduction: red, labelSmoothing: 0.3), [GradCheck.Rand([4, 3])],
                atol: Atol, rtol: Rtol, what: "CrossEntropy probabilities " + red);
            GradCheck.Check(x => F.CrossEntropy(x[0], probs.Detach(), reduction: red), [GradCheck.Rand([4, 3], seed: 2)],
                atol: Atol, rtol: Rtol, what: "CrossEntropy probabilities (fused) " + red);
        }
    }

    [Test]
    public void CrossEntropyOfOneSampleAndOfSpatialInputsMatchesCentralDifferences()
    {
        // [N, C, d1, d2] with labels [N, d1, d2]; [C] with a scalar label
        var labels = Tensor.FromArray(new long[] { 0, 2, 1, 1, 2, 0, 0, 1, 2, 2, 1, 0 }, [2, 2, 3]);
        foreach (string red in Reductions)
        {
            GradCheck.Check(x => F.CrossEntropy(x[0], labels, reduction: red), [GradCheck.Rand([2, 3, 2, 3])], atol: Atol, rtol: Rtol, what: "CrossEntropy [N, C, d1, d2] " + red);
            GradCheck.Check(x => F.CrossEntropy(x[0], labels, ClassWeight(3), reduction: red, labelSmoothing: 0.25), [GradCheck.Rand([2, 3, 2, 3], seed: 5)],
                atol: Atol, rtol: Rtol, what: "CrossEntropy [N, C, d1, d2] weighted " + red);
        }
        var one = Tensor.FromArray(new long[] { 2 }, []);
        GradCheck.Check(x => F.CrossEntropy(x[0], one), [GradCheck.Rand([4])], atol: Atol, rtol: Rtol, what: "CrossEntropy [C]");
        Assert.That(F.CrossEntropy(GradCheck.Rand([4]), one, reduction: "none").Shape, Is.Empty);
        Assert.That(F.CrossEntropy(GradCheck.Rand([2, 3, 2, 3]), labels, reduction: "none").Shape, Is.EqualTo(new[] { 2, 2, 3 }));
    }

    [Test]
    public void NllLossWithWeightAndIgnoreIndexMatchesCentralDifferences()
    {
        var labels = Tensor.FromArray(new[] { 1, 3, 0, 3, 2 });
        foreach (string red in Reductions)
        {
            var loss = new NLLLoss(ClassWeight(4), ignoreIndex: 3, reduction: red);
            GradCheck.Check(x => loss.Forward(x[0], labels), [GradCheck.Rand([5, 4])], atol: Atol, rtol: Rtol, what: "NLLLoss " + red);
        }
    }

    [Test]
    public void BceWithLogitsMatchesCentralDifferencesThroughInputAndTarget()
    {
        var w = GradCheck.Rand([3, 4], 0.5, 1.5, seed: 11);
        var pw = Tensor.FromArray(new[] { 0.5, 1.0, 2.0, 3.0 });
        foreach (string red in Reductions)
            foreach (bool weighted in new[] { false, true })
            {
                var loss = new BCEWithLogitsLoss(weighted ? w : null, red, weighted ? pw : null);
                GradCheck.Check(x => loss.Forward(x[0], x[1]), [GradCheck.Rand([3, 4], -4, 4), GradCheck.Rand([3, 4], 0, 1, seed: 2)],
                    atol: Atol, rtol: Rtol, what: $"BCEWithLogitsLoss {red} weighted={weighted}");
            }
    }

    [Test]
    public void L1AndSmoothL1MatchCentralDifferencesAwayFromTheirKinks()
    {
        // d = input − target ∈ ±[0.05, 0.45] ∪ ±[0.55, 2]: clear of 0 and of β = 0.5 and 1.
        var target = Tensor.Zeros([3, 5], DType.Float64);
        var input = Tensor.FromArray(new[] { -2.0, -1.7, -1.2, -0.8, -0.6, -0.45, -0.2, -0.05, 0.05, 0.3, 0.45, 0.6, 0.8, 1.3, 2.0 }, [3, 5]);
        foreach (string red in Reductions)
        {
            GradCheck.Check(x => new L1Loss(red).Forward(x[0], x[1]), [input, target], atol: Atol, rtol: Rtol, what: "L1Loss " + red);
            foreach (double beta in new[] { 0.0, 0.5, 1.0 })
                GradCheck.Check(x => new SmoothL1Loss(red, beta).Forward(x[0], x[1]), [input, target], atol: Atol, rtol: Rtol, what: $"SmoothL1Loss {red} β={beta}");
        }
    }

    [Test]
    public void KlDivMatchesCentralDifferencesForEveryReductionAndLogTarget()
    {
        var logq = GradCheck.Rand([3, 4], -3, -0.1);
        foreach (string red in new[] { "mean", "batchmean", "sum", "none" })
        {
            GradCheck.Check(x => new KLDivLoss(red).Forward(x[0], x[1]), [logq, GradCheck.Rand([3, 4], 0.05, 1, seed: 2)], atol: Atol, rtol: Rtol, what: "KLDivLoss " + red);
            GradCheck.Check(x => new KLDivLoss(red, logTarget: true).Forward(x[0], x[1]), [logq, GradCheck.Rand([3, 4], -3, -0.1, seed: 3)], atol: Atol, rtol: Rtol, what: "KLDivLoss log_target " + red);
        }
    }

    [Test]
    public void LossesComputeTheirDefiningFormulas()
    {
        var x = Tensor.FromArray(new[] { 0.0, 3.0 });
        var t = Tensor.FromArray(new[] { 0.3, 1.0 });
        // BCEWithLogits: (1 − t)·x + lw·log(1 + e^−x), lw = (pw − 1)·t + 1 (values of PyTorch 1.13's formula)
        double expected = 0.7 * 0 + (1 * 0.3 + 1) * Math.Log(2) + (2 * 1.0 + 1) * Math.Log(1 + Math.Exp(-3));
        Assert.That(F.BinaryCrossEntropyWithLogits(x, t, reduction: "sum", posWeight: Tensor.FromArray(new[] { 2.0, 3.0 })).Item(), Is.EqualTo(expected).Within(1e-15 * expected));
        // KL: 0 where t = 0 (xlogy), NaN where t < 0 (as PyTorch)
        var kl = F.KlDiv(Tensor.FromArray(new[] { -1.0, -2.0, -0.5 }), Tensor.FromArray(new[] { 0.5, 0.0, -0.2 }), "none").ToDoubleArray();
        Assert.That(kl[0], Is.EqualTo(0.5 * (Math.Log(0.5) + 1)).Within(1e-15));
        Assert.That(kl[1], Is.Zero);
        Assert.That(double.IsNaN(kl[2]), Is.True);
        // SmoothL1: 0.5·d²/β inside, |d| − β/2 outside
        var sl = F.SmoothL1Loss(Tensor.FromArray(new[] { 0.25, -3.0 }), Tensor.FromArray(new[] { 0.0, 0.0 }), "none", beta: 0.5).ToDoubleArray();
        Assert.That(sl, Is.EqualTo(new[] { 0.0625, 2.75 }));
        // all rows ignored: the weighted mean is 0/0 = NaN, as in PyTorch; sum is 0
        var ignored = Tensor.FromArray(new long[] { -100, -100 });
        Assert.That(double.IsNaN(F.CrossEntropy(Tensor.Zeros([2, 3], DType.Float64), ignored).Item()), Is.True);
        Assert.That(F.CrossEntropy(Tensor.Zeros([2, 3], DType.Float64), ignored, reduction: "sum").Item(), Is.Zero);
    }

    [Test]
    public void LossesRejectBadArgumentsNamingTheLoss()
    {
        var x = Tensor.Zeros([2, 3], DType.Float64);
        var probs = Tensor.Full([2, 3], 1 / 3.0, DType.Float64);
        Assert.That(() => F.CrossEntropy(x, probs, ignoreIndex: 1), Throws.ArgumentException.With.Message.Contains("ignore_index"));
        Assert.That(() => F.CrossEntropy(x, Tensor.FromArray(new long[] { 0, 1 }), labelSmoothing: 1.5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("label_smoothing"));
        Assert.That(() => F.CrossEntropy(x, Tensor.FromArray(new long[] { 0, -3 })), Throws.TypeOf<IndexOutOfRangeException>().With.Message.Contains("label -3"));
        Assert.That(() => F.CrossEntropy(x, Tensor.FromArray(new long[] { 0, 1 }), Tensor.Ones([4], DType.Float64)), Throws.ArgumentException.With.Message.Contains("[3]"));
        Assert.That(() => F.CrossEntropy(x, Tensor.FromArray(new long[] { 0, 1 }), Tensor.Ones([3])), Throws.InvalidOperationException.With.Message.Contains("CrossEntropyLoss"));
        Assert.That(() => F.NllLoss(x, probs), Throws.ArgumentException.With.Message.Contains("NLLLoss"));
        Assert.That(() => new SmoothL1Loss(beta: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("beta"));
        Assert.That(() => F.SmoothL1Loss(x, x, beta: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("SmoothL1Loss"));
        Assert.That(() => new KLDivLoss("batchsum"), Throws.ArgumentException.With.Message.Contains("reduction"));
        Assert.That(() => new L1Loss("batchmean"), Throws.ArgumentException.With.Message.Contains("reduction"));
        Assert.That(() => F.BinaryCrossEntropyWithLogits(x, x, posWeight: Tensor.Ones([2], DType.Float64)), Throws.ArgumentException.With.Message.Contains("pos_weight"));
        Assert.That(() => F.L1Loss(x, Tensor.Zeros([3, 2], DType.Float64)), Throws.ArgumentException.With.Message.Contains("L1Loss"));
    }
}
