using Engine.Functional;
using Engine.Nn;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Nn;

/// <summary>Central-difference checks (float64) for every module and loss, through inputs and parameters.</summary>
public class ModuleGradientTests
{
    /// <summary>
    /// Float64 central differences with eps = 1e-6 are good to about 1e-10 absolute (rounding of f ± eps over
    /// 2·eps) plus eps²·f‴/6 ≈ 1e-13 (truncation): the exact losses are held to that, not to 1e-5.
    /// </summary>
    internal const double Atol = 1e-9, Rtol = 1e-7;

    private static Tensor[] Leaves(Module m, Tensor x) => new[] { x }.Concat(m.Parameters()).ToArray();

    [Test]
    public void LinearGradientsMatchCentralDifferences()
    {
        var lin = new Linear(4, 3, dtype: DType.Float64, generator: new Generator(1));
        var x = GradCheck.Rand([5, 4]);
        GradCheck.Check(t => lin.Forward(t[0]), Leaves(lin, x), atol: Atol, rtol: Rtol, what: "Linear");
        var noBias = new Linear(4, 3, bias: false, dtype: DType.Float64, generator: new Generator(2));
        GradCheck.Check(t => noBias.Forward(t[0]), Leaves(noBias, x), atol: Atol, rtol: Rtol, what: "Linear(no bias)");
        var x3 = GradCheck.Rand([2, 3, 4], seed: 4);
        GradCheck.Check(t => lin.Forward(t[0]), Leaves(lin, x3), atol: Atol, rtol: Rtol, what: "Linear(3-D input)");
    }

    [TestCase("ReLU")]
    [TestCase("Sigmoid")]
    [TestCase("Tanh")]
    [TestCase("Identity")]
    [TestCase("Flatten")]
    public void ActivationAndShapeModulesMatchCentralDifferences(string name)
    {
        Module m = name switch
        {
            "ReLU" => new ReLU(),
            "Sigmoid" => new Sigmoid(),
            "Tanh" => new Tanh(),
            "Identity" => new Identity(),
            _ => new Flatten(),
        };
        var x = GradCheck.Rand([2, 3, 2]);
        GradCheck.Check(t => m.Forward(t[0]), [x], atol: Atol, rtol: Rtol, what: name);
    }

    [Test]
    public void DropoutGradientMatchesCentralDifferencesForAFixedMask()
    {
        var x = GradCheck.Rand([4, 5]);
        GradCheck.Check(t => F.Dropout(t[0], 0.3, true, new Generator(5)), [x], atol: Atol, rtol: Rtol, what: "Dropout");
    }

    [Test]
    public void SequentialMlpMatchesCentralDifferences()
    {
        var g = new Generator(3);
        var net = new Sequential(new Linear(3, 5, dtype: DType.Float64, generator: g), new Tanh(), new Linear(5, 2, dtype: DType.Float64, generator: g));
        var x = GradCheck.Rand([4, 3]);
        GradCheck.Check(t => net.Forward(t[0]), Leaves(net, x), atol: Atol, rtol: Rtol, what: "Sequential");
    }

    [TestCase("mean")]
    [TestCase("sum")]
    [TestCase("none")]
    public void MseLossMatchesCentralDifferences(string reduction)
    {
        var loss = new MSELoss(reduction);
        GradCheck.Check(t => loss.Forward(t[0], t[1]), [GradCheck.Rand([3, 4]), GradCheck.Rand([3, 4], seed: 2)], atol: Atol, rtol: Rtol, what: "MSELoss " + reduction);
    }

    [TestCase("mean")]
    [TestCase("sum")]
    [TestCase("none")]
    public void BceLossMatchesCentralDifferences(string reduction)
    {
        var loss = new BCELoss(reduction: reduction);
        var p = GradCheck.Rand([3, 4], 0.1, 0.9);
        var t = GradCheck.Rand([3, 4], 0.1, 0.9, seed: 2);
        GradCheck.Check(x => loss.Forward(x[0], x[1]), [p, t], atol: Atol, rtol: Rtol, what: "BCELoss " + reduction);
    }

    [TestCase("mean", DType.Int32)]
    [TestCase("sum", DType.Int64)]
    [TestCase("none", DType.Int32)]
    public void CrossEntropyWithLabelsMatchesCentralDifferences(string reduction, DType labelType)
    {
        var loss = new CrossEntropyLoss(reduction: reduction);
        var labels = Tensor.FromArray(new long[] { 2, 0, 4, 1 }).To(labelType);
        GradCheck.Check(x => loss.Forward(x[0], labels), [GradCheck.Rand([4, 5])], atol: Atol, rtol: Rtol, what: "CrossEntropy " + reduction);
    }

    [Test]
    public void CrossEntropyWithOneHotEqualsLabels()
    {
        var logits = GradCheck.Rand([4, 5]);
        var labels = Tensor.FromArray(new[] { 2, 0, 4, 1 });
        var oneHot = labels.OneHot(5, DType.Float64);
        var a = F.CrossEntropy(logits, labels);
        var b = F.CrossEntropy(logits, oneHot);
        Assert.That(a.Item(), Is.EqualTo(b.Item()).Within(1e-15 * b.Item()));
        GradCheck.Check(x => F.CrossEntropy(x[0], oneHot), [logits], atol: Atol, rtol: Rtol, what: "CrossEntropy one-hot");
    }

    [Test]
    public void NllOfLogSoftmaxMatchesCrossEntropy()
    {
        var logits = GradCheck.Rand([4, 5]);
        var labels = Tensor.FromArray(new[] { 2, 0, 4, 1 });
        double nll = F.NllLoss(logits.LogSoftmax(), labels).Item();
        // The fused op computes the same log-softmax x − max − log Σ exp(x − max) (no guard).
        Assert.That(F.CrossEntropy(logits, labels).Item(), Is.EqualTo(nll).Within(1e-15 * nll));
        GradCheck.Check(x => F.NllLoss(x[0].LogSoftmax(), labels), [logits], atol: Atol, rtol: Rtol, what: "NLL(LogSoftmax)");
    }

    [Test]
    public void CrossEntropyRejectsBadTargets()
    {
        var logits = Tensor.Zeros([2, 3]);
        Assert.That(() => F.CrossEntropy(logits, Tensor.FromArray(new[] { 0, 3 })), Throws.TypeOf<IndexOutOfRangeException>().With.Message.Contains("label 3"));
        Assert.That(() => F.CrossEntropy(logits, Tensor.FromArray(new[] { 0, 1, 2 })), Throws.ArgumentException.With.Message.Contains("[2]"));
        Assert.That(() => F.CrossEntropy(logits, Tensor.Zeros([2, 4])), Throws.ArgumentException.With.Message.Contains("[2, 4]"));
        Assert.That(() => new CrossEntropyLoss(reduction: "avg"), Throws.ArgumentException.With.Message.Contains("reduction"));
    }
}
