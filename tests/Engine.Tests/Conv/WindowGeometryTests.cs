using Engine.Functional;
using Engine.Nn;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>
/// PyTorch's argument order for F.Conv2d / F.MaxPool2d / F.AvgPool2d and their modules, the printed reprs,
/// and float64 gradient checks of the geometries outside the op table's ((h, w) pairs, dilation, groups,
/// ceil_mode, count_include_pad = false, divisor_override).
/// </summary>
public class WindowGeometryTests
{
    /// <summary>
    /// Central differences of L = Σ y ⊙ r (|L| up to ~100 here, each evaluation rounded to a few ulps) are
    /// good to about 1e-8 absolute; exactness itself is checked against PyTorch at 1e-12 (ConvFixtureTests).
    /// </summary>
    private const double Atol = 1e-7, Rtol = 1e-6;

    [Test]
    public void PositionalArgumentsMeanWhatTheyMeanInPyTorch()
    {
        var x = Tensor.Zeros([1, 1, 8, 8]);
        // max_pool2d(x, 2, 3, 1): kernel 2, stride 3, padding 1 → ⌊(8 + 2 − 2)/3⌋ + 1 = 3
        Assert.That(F.MaxPool2d(x, 2, 3, 1).Shape, Is.EqualTo(new[] { 1, 1, 3, 3 }));
        Assert.That(F.AvgPool2d(x, 2, 3, 1).Shape, Is.EqualTo(new[] { 1, 1, 3, 3 }));
        Assert.That(F.MaxPool2d(x, 3, 2, 1, 1, true).Shape, Is.EqualTo(new[] { 1, 1, 5, 5 }));   // ceil_mode
        Assert.That(F.MaxPool2d(x, 2, 1, 0, 3).Shape, Is.EqualTo(new[] { 1, 1, 5, 5 }));         // dilation 3
        // conv2d(x, w, b, stride, padding, dilation, groups)
        var w = Tensor.Zeros([4, 1, 3, 3]);
        Assert.That(F.Conv2d(Tensor.Zeros([1, 2, 9, 9]), w, null, 2, 1, 2, 2).Shape, Is.EqualTo(new[] { 1, 4, 4, 4 }));
    }

    [Test]
    public void ModulesPrintAsPyTorchDoes()
    {
        Assert.That(new MaxPool2d(2, 3, 1).ToString(), Is.EqualTo("MaxPool2d(kernel_size=2, stride=3, padding=1, dilation=1, ceil_mode=False)"));
        Assert.That(new MaxPool2d((2, 3)).ToString(), Is.EqualTo("MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)"));
        Assert.That(new MaxPool2d((2, 3), (1, 2), (1, 1), (2, 1)).ToString(), Is.EqualTo("MaxPool2d(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), ceil_mode=False)"));
        Assert.That(new AvgPool2d((3, 2), padding: (1, 0)).ToString(), Is.EqualTo("AvgPool2d(kernel_size=(3, 2), stride=(3, 2), padding=(1, 0))"));
        Assert.That(new AvgPool2d(3, ceilMode: true, countIncludePad: false, divisorOverride: 2).ToString(), Is.EqualTo("AvgPool2d(kernel_size=3, stride=3, padding=0)"));
        Assert.That(new Conv2d(4, 6, 3, stride: 1, padding: 0).ToString(), Is.EqualTo("Conv2d(4, 6, kernel_size=(3, 3), stride=(1, 1))"));
        Assert.That(new Conv2d(4, 6, (3, 3), (2, 1), (1, 2), (2, 1), groups: 2).ToString(),
            Is.EqualTo("Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)"));
        Assert.That(new Conv2d(3, 3, (3, 1), groups: 3, bias: false).ToString(), Is.EqualTo("Conv2d(3, 3, kernel_size=(3, 1), stride=(1, 1), groups=3, bias=False)"));
        Assert.That(new Conv2d(4, 6, 3, groups: 2).Weight.Shape, Is.EqualTo(new[] { 6, 2, 3, 3 }));
    }

    [TestCase(1, 1, 1, 1, 1, 1, 1)]
    [TestCase(2, 1, 1, 2, 1, 1, 1)]
    [TestCase(1, 1, 0, 0, 2, 3, 1)]
    [TestCase(1, 2, 1, 0, 1, 2, 2)]
    [TestCase(2, 2, 1, 1, 1, 1, 4)]
    public void ConvolutionGradientsMatchCentralDifferences(int sh, int sw, int ph, int pw, int dh, int dw, int groups)
    {
        var x = GradCheck.Rand([2, 4, 7, 6], seed: 3);
        var w = GradCheck.Rand([4, 4 / groups, 3, 2], seed: 4);
        var b = GradCheck.Rand([4], seed: 5);
        GradCheck.Check(t => F.Conv2d(t[0], t[1], t[2], (sh, sw), (ph, pw), (dh, dw), groups), [x, w, b], atol: Atol, rtol: Rtol,
            what: $"Conv2d s({sh}, {sw}) p({ph}, {pw}) d({dh}, {dw}) g{groups}");
    }

    [TestCase(3, 3, 2, 2, 1, 1, 1, 1, false)]
    [TestCase(3, 2, 2, 3, 1, 0, 1, 1, true)]
    [TestCase(2, 2, 1, 1, 1, 1, 2, 2, false)]
    [TestCase(3, 3, 2, 2, 1, 1, 2, 1, true)]
    public void MaxPoolGradientsMatchCentralDifferences(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceil)
    {
        var x = GradCheck.Rand([2, 2, 7, 8], seed: 7);
        GradCheck.Check(t => F.MaxPool2d(t[0], (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil), [x], atol: Atol, rtol: Rtol,
            what: $"MaxPool2d k({kh}, {kw}) s({sh}, {sw}) p({ph}, {pw}) d({dh}, {dw}) ceil={ceil}");
    }

    [TestCase(3, 3, 2, 2, 1, 1, true, false, 0)]
    [TestCase(3, 2, 2, 3, 1, 1, false, true, 0)]
    [TestCase(2, 2, 2, 2, 1, 0, true, true, 3)]
    public void AvgPoolGradientsMatchCentralDifferences(int kh, int kw, int sh, int sw, int ph, int pw, bool ceil, bool includePad, int divisor)
    {
        var x = GradCheck.Rand([2, 2, 7, 8], seed: 8);
        int? d = divisor == 0 ? null : divisor;
        GradCheck.Check(t => F.AvgPool2d(t[0], (kh, kw), (sh, sw), (ph, pw), ceil, includePad, d), [x], atol: Atol, rtol: Rtol,
            what: $"AvgPool2d k({kh}, {kw}) s({sh}, {sw}) p({ph}, {pw}) ceil={ceil} include_pad={includePad} divisor={d}");
    }

    [Test]
    public void MaxPoolTiesSendTheGradientToTheFirstMaximum()
    {
        // A 2×2 window of equal values: PyTorch's argmax is the first (row-major); dilation takes the tap path.
        var x = Tensor.Ones([1, 1, 3, 3], DType.Float64);
        x.RequiresGrad = true;
        F.MaxPool2d(x, 2, 1, 0, 2).Sum().Backward();
        Assert.That(x.Grad!.ToDoubleArray(), Is.EqualTo(new double[] { 1, 0, 0, 0, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void BadGeometriesAreRejectedNamingTheOp()
    {
        var x = Tensor.Zeros([1, 4, 6, 6]);
        Assert.That(() => F.Conv2d(x, Tensor.Zeros([4, 3, 3, 3]), null, 1, 0, 1, 3), Throws.ArgumentException.With.Message.Contains("Conv2d").And.Message.Contains("groups"));
        Assert.That(() => F.Conv2d(x, Tensor.Zeros([4, 2, 3, 3]), null, 1, 0, 1, 3), Throws.ArgumentException.With.Message.Contains("divisible by groups"));
        Assert.That(() => F.Conv2d(x, Tensor.Zeros([4, 4, 3, 3]), null, 1, 0, 0), Throws.ArgumentException.With.Message.Contains("dilation"));
        Assert.That(() => F.Conv2d(x, Tensor.Zeros([4, 4, 3, 3]), null, 1, 0, 3), Throws.ArgumentException.With.Message.Contains("larger than the padded input"));
        Assert.That(() => F.MaxPool2d(x, 3, 1, 0, 3), Throws.ArgumentException.With.Message.Contains("MaxPool2d").And.Message.Contains("dilation"));
        Assert.That(() => F.AvgPool2d(x, 2, divisorOverride: 0), Throws.ArgumentException.With.Message.Contains("divisor_override"));
        Assert.That(() => F.MaxPool2d(x, (2, 4), padding: (1, 3)), Throws.ArgumentException.With.Message.Contains("half the window"));
        Assert.That(() => new Conv2d(4, 6, 3, groups: 4), Throws.ArgumentException.With.Message.Contains("groups"));
    }
}
