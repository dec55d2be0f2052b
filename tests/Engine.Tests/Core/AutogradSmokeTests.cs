using NUnit.Framework;

namespace Engine.Tests.Core;

public class AutogradSmokeTests
{
    [Test]
    public void TwoLayerTinyCaseMatchesBook2031()
    {
        // 20.3.1: x=[[1,2]], y=[[1,2]], w1=w2=[[0,0.1],[0.2,0.3]], loss = Σ(relu(x·w1)·w2 − y)².
        var x = Tensor.From(new double[,] { { 1, 2 } });
        var y = Tensor.From(new double[,] { { 1, 2 } });
        var w1 = Tensor.From(new double[,] { { 0, 0.1 }, { 0.2, 0.3 } }).RequiresGrad_();
        var w2 = Tensor.From(new double[,] { { 0, 0.1 }, { 0.2, 0.3 } }).RequiresGrad_();
        var loss = (x.MatMul(w1).Relu().MatMul(w2) - y).Pow(2).Sum();
        loss.Backward();
        Assert.That(loss.Item(), Is.EqualTo(3.8021).Within(1e-12));
        Assert.That(w2.Grad!.ToDoubleArray(), Is.EqualTo(new[] { -0.688, -1.4, -1.204, -2.45 }).Within(1e-12));
        Assert.That(w1.Grad!.ToDoubleArray(), Is.EqualTo(new[] { -0.35, -1.394, -0.7, -2.788 }).Within(1e-12));
    }

    [Test]
    public void BroadcastBiasGradientSumsOverRows()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = Tensor.FromArray(new double[] { 1, 2, 3 }).RequiresGrad_();
        var s = (a + b).Mean(0).Sum();
        s.Backward();
        Assert.That(b.Grad!.ToDoubleArray(), Is.EqualTo(new[] { 1.0, 1, 1 }));
        Assert.That(s.Item(), Is.EqualTo((5 + 7 + 9 + 2 + 4 + 6) / 2.0));
    }

    [Test]
    public void ScopeDisposesTemporariesButKeepsResult()
    {
        long before = Tensor.LiveCount;
        Tensor kept;
        using (var scope = Tensor.Scope())
        {
            var t = Tensor.Ones([3]);
            for (int i = 0; i < 100; i++) t = t + 1;
            kept = scope.Keep(t);
        }
        Assert.That(Tensor.LiveCount, Is.EqualTo(before + 1));
        Assert.That(kept.ToArray<float>(), Is.EqualTo(new float[] { 101, 101, 101 }));
        kept.Dispose();
    }
}
