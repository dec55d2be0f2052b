using Engine.Scratch;
using NUnit.Framework;

namespace Engine.Tests.Ch24;

/// <summary>
/// Each from-scratch layer alone: backward against central differences (float64, h = 1e-4) of the
/// scalar L = Σ layer(x) ⊙ R with a fixed random R (so dL/dout = R), mean |diff| ≤ 1e-9; and the
/// clear exceptions wrong shapes give.
/// </summary>
public class LayerTests
{
    private const double H = 1e-4, Tolerance = 1e-9;

    /// <summary>Mean |numerical − analytic| of dL/dx for L(x) = f(x) evaluated element by element.</summary>
    private static double CheckAgainstNumerical(Tensor x, Func<double> loss, Tensor analytic)
    {
        var span = x.Span<double>();
        var expected = analytic.ToDoubleArray();
        double total = 0;
        for (int i = 0; i < span.Length; i++)
        {
            double tmp = span[i];
            span[i] = tmp + H;
            double f1 = loss();
            span[i] = tmp - H;
            double f2 = loss();
            span[i] = tmp;
            total += Math.Abs((f1 - f2) / (2 * H) - expected[i]);
        }
        return total / span.Length;
    }

    private static double Dot(Tensor a, Tensor r)
    {
        using var p = a * r;
        using var s = p.Sum();
        return s.Item();
    }

    /// <summary>Values away from 0 so ReLU's kink is never within h.</summary>
    private static Tensor AwayFromZero(int[] shape, Generator g)
    {
        var t = Tensor.Randn(shape, DType.Float64, generator: g);
        var s = t.Span<double>();
        for (int i = 0; i < s.Length; i++) s[i] += s[i] >= 0 ? 0.2 : -0.2;
        return t;
    }

    [Test]
    public void ReluBackwardMatchesNumerical()
    {
        var g = new Generator(1);
        var x = AwayFromZero([3, 4], g);
        var r = Tensor.Randn([3, 4], DType.Float64, generator: g);
        var layer = new Relu();
        layer.Forward(x);
        var dx = layer.Backward(r);
        Assert.That(CheckAgainstNumerical(x, () => Dot(new Relu().Forward(x), r), dx), Is.LessThanOrEqualTo(Tolerance));
        var mask = layer.Mask!.ToDoubleArray();
        var xs = x.ToDoubleArray();
        for (int i = 0; i < xs.Length; i++) Assert.That(mask[i], Is.EqualTo(xs[i] <= 0 ? 1.0 : 0.0));
    }

    [Test]
    public void SigmoidBackwardMatchesNumerical()
    {
        var g = new Generator(2);
        var x = Tensor.Randn([3, 4], DType.Float64, generator: g);
        var r = Tensor.Randn([3, 4], DType.Float64, generator: g);
        var layer = new Sigmoid();
        layer.Forward(x);
        var dx = layer.Backward(r);
        Assert.That(CheckAgainstNumerical(x, () => Dot(new Sigmoid().Forward(x), r), dx), Is.LessThanOrEqualTo(Tolerance));
    }

    [Test]
    public void AffineBackwardMatchesNumericalForXWAndB()
    {
        var g = new Generator(3);
        var x = Tensor.Randn([2, 1, 2, 3], DType.Float64, generator: g); // 4-D input viewed as [2, 6]
        var w = Tensor.Randn([6, 4], DType.Float64, generator: g);
        var b = Tensor.Randn([4], DType.Float64, generator: g);
        var r = Tensor.Randn([2, 4], DType.Float64, generator: g);
        var layer = new Affine(w, b);
        var y = layer.Forward(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 2, 4 }));
        var dx = layer.Backward(r);
        Assert.That(dx.Shape, Is.EqualTo(x.Shape), "dx comes back in the input's shape");
        double L() => Dot(new Affine(w, b).Forward(x), r);
        Assert.That(CheckAgainstNumerical(x, L, dx), Is.LessThanOrEqualTo(Tolerance), "dx");
        Assert.That(CheckAgainstNumerical(w, L, layer.DW!), Is.LessThanOrEqualTo(Tolerance), "dW");
        Assert.That(CheckAgainstNumerical(b, L, layer.DB!), Is.LessThanOrEqualTo(Tolerance), "db");
    }

    [Test]
    public void AffineForwardKeepsATrackedBiasInTheGraph()
    {
        // Only b requires grad: the forward's bias add must still be recorded, so autograd reaches b.
        var g = new Generator(5);
        using var x = Tensor.Randn([3, 4], DType.Float64, generator: g);
        using var w = Tensor.Randn([4, 2], DType.Float64, generator: g);
        using var b = Tensor.Randn([2], DType.Float64, generator: g);
        b.RequiresGrad = true;
        using var y = new Affine(w, b).Forward(x);
        using var loss = y.Sum();
        loss.Backward();
        Assert.That(b.Grad, Is.Not.Null, "b got a gradient");
        Assert.That(b.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 3.0, 3.0 }), "d(Σ y)/db = the batch size per output");
    }

    [Test]
    public void SoftmaxWithLossBackwardMatchesNumerical()
    {
        var g = new Generator(4);
        var x = Tensor.Randn([4, 5], DType.Float64, generator: g);
        var labels = Tensor.FromArray(new[] { 0, 3, 4, 1 });
        var oneHot = labels.OneHot(5, DType.Float64);
        foreach (var t in new[] { oneHot, labels })
        {
            var layer = new SoftmaxWithLoss(delta: 0);
            layer.Forward(x, t);
            var dx = layer.Backward();
            Assert.That(CheckAgainstNumerical(x, () => new SoftmaxWithLoss(delta: 0).Forward(x, t).Item(), dx), Is.LessThanOrEqualTo(Tolerance), t.DType.Name());
        }
        // DLfS's guard log(y + 1e-7) shifts the true gradient by about 1e-7/y: close, not exact
        var guarded = new SoftmaxWithLoss();
        guarded.Forward(x, oneHot);
        var dGuarded = guarded.Backward();
        double diff = CheckAgainstNumerical(x, () => new SoftmaxWithLoss().Forward(x, oneHot).Item(), dGuarded);
        Assert.That(diff, Is.LessThan(1e-5).And.GreaterThan(1e-10));
    }

    [Test]
    public void SoftmaxWithLossOneHotAndLabelsAgree()
    {
        var x = Tensor.From(new double[,] { { 0.3, 2.9, 4.0 }, { 1, 2, 3 } });
        var labels = Tensor.FromArray(new long[] { 2, 0 });
        double a = new SoftmaxWithLoss().Forward(x, labels).Item();
        double b = new SoftmaxWithLoss().Forward(x, labels.OneHot(3, DType.Float64)).Item();
        Assert.That(a, Is.EqualTo(b).Within(1e-15));
        double y0 = Math.Exp(4.0) / (Math.Exp(0.3) + Math.Exp(2.9) + Math.Exp(4.0));
        double y1 = Math.Exp(1.0) / (Math.Exp(1.0) + Math.Exp(2.0) + Math.Exp(3.0));
        Assert.That(a, Is.EqualTo(-(Math.Log(y0 + 1e-7) + Math.Log(y1 + 1e-7)) / 2).Within(1e-14));
    }

    [Test]
    public void WrongShapesGiveClearExceptions()
    {
        var affine = new Affine(Tensor.Zeros([3, 2], DType.Float64), Tensor.Zeros([2], DType.Float64));
        var e = Assert.Throws<ArgumentException>(() => affine.Forward(Tensor.Zeros([4, 5], DType.Float64)))!;
        Assert.That(e.Message, Does.Contain("Affine.Forward").And.Contain("[4, 5]").And.Contain("[3, 2]"));
        Assert.Throws<InvalidOperationException>(() => affine.Backward(Tensor.Zeros([4, 2], DType.Float64)));
        affine.Forward(Tensor.Zeros([4, 3], DType.Float64));
        e = Assert.Throws<ArgumentException>(() => affine.Backward(Tensor.Zeros([4, 3], DType.Float64)))!;
        Assert.That(e.Message, Does.Contain("Affine.Backward").And.Contain("[4, 2]").And.Contain("[4, 3]"));
        e = Assert.Throws<ArgumentException>(() => new Affine(Tensor.Zeros([3, 2]), Tensor.Zeros([3])))!;
        Assert.That(e.Message, Does.Contain("Affine").And.Contain("[2]").And.Contain("[3]"));

        var relu = new Relu();
        Assert.Throws<InvalidOperationException>(() => relu.Backward(Tensor.Zeros([2, 2])));
        relu.Forward(Tensor.Zeros([2, 2]));
        e = Assert.Throws<ArgumentException>(() => relu.Backward(Tensor.Zeros([2, 3])))!;
        Assert.That(e.Message, Does.Contain("Relu.Backward").And.Contain("[2, 3]").And.Contain("[2, 2]"));

        var sigmoid = new Sigmoid();
        sigmoid.Forward(Tensor.Zeros([2, 2]));
        e = Assert.Throws<ArgumentException>(() => sigmoid.Backward(Tensor.Zeros([4])))!;
        Assert.That(e.Message, Does.Contain("Sigmoid.Backward").And.Contain("[4]"));

        var loss = new SoftmaxWithLoss();
        e = Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])))!;
        Assert.That(e.Message, Does.Contain("SoftmaxWithLoss").And.Contain("[2, 3]").And.Contain("[2, 4]"));
        e = Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros([2, 3]), Tensor.FromArray(new[] { 0, 1, 2 })))!;
        Assert.That(e.Message, Does.Contain("SoftmaxWithLoss").And.Contain("[3]"));
        Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros([3]), Tensor.FromArray(new[] { 0 })));
        Assert.Throws<InvalidOperationException>(() => new SoftmaxWithLoss().Backward());
    }
}
