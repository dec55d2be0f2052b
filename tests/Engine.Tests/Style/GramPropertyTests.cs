using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// The book's three remarks on the Gram matrix (23.2): it forgets where pixels are (a permutation of the
/// pixels leaves it unchanged), its shape is C×C whatever H and W, and it is one reshape and one F·Fᵀ.
/// Plus the losses' bad-input messages.
/// </summary>
public class GramPropertyTests
{
    [Test]
    public void GramOfPixelPermutedMapEqualsTheOriginal()
    {
        var gen = new Generator(23);
        using var scope = Tensor.Scope();
        const int c = 5, h = 7, w = 9;
        var x = Tensor.Randn([1, c, h, w], DType.Float64, generator: gen);
        var perm = Enumerable.Range(0, h * w).OrderBy(_ => gen.NextDouble()).ToArray();
        Assert.That(perm, Is.Not.EqualTo(Enumerable.Range(0, h * w).ToArray()));
        var v = x.ToDoubleArray();
        var shuffled = new double[v.Length];
        for (int ch = 0; ch < c; ch++)
            for (int k = 0; k < h * w; k++) shuffled[ch * h * w + k] = v[ch * h * w + perm[k]];
        var y = Tensor.FromArray(shuffled, [1, c, h, w]);
        var gx = F.Gram(x).ToDoubleArray();
        var gy = F.Gram(y).ToDoubleArray();
        for (int i = 0; i < gx.Length; i++) Assert.That(gy[i], Is.EqualTo(gx[i]).Within(1e-12 * (1 + Math.Abs(gx[i]))));
        // A permutation that differs per channel does change it: the property is about moving whole pixels.
        var mixed = (double[])shuffled.Clone();
        (mixed[0], mixed[1]) = (mixed[1], mixed[0]);
        var gm = F.Gram(Tensor.FromArray(mixed, [1, c, h, w])).ToDoubleArray();
        Assert.That(Enumerable.Range(0, gx.Length).Max(i => Math.Abs(gm[i] - gx[i])), Is.GreaterThan(1e-6));
    }

    [TestCase(1, 1)]
    [TestCase(3, 4)]
    [TestCase(16, 9)]
    [TestCase(40, 60)]
    public void GramIsChannelsByChannelsWhateverTheSize(int h, int w)
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Randn([2, 6, h, w], generator: new Generator(1));
        Assert.That(F.Gram(x).Shape, Is.EqualTo(new[] { 2, 6, 6 }));
        Assert.That(F.Gram(x.Reshape(2, 6, h * w)).Shape, Is.EqualTo(new[] { 2, 6, 6 }));
        using var one = Tensor.Randn([6, h * w], generator: new Generator(2));
        Assert.That(F.Gram(one).Shape, Is.EqualTo(new[] { 6, 6 }));
    }

    [Test]
    public void GramIsSymmetricWithTheChannelNormsOnItsDiagonal()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Randn([4, 33], DType.Float64, generator: new Generator(3));
        var g = F.Gram(x).ToDoubleArray();
        var v = x.ToDoubleArray();
        for (int m = 0; m < 4; m++)
        {
            Assert.That(g[m * 4 + m], Is.EqualTo(Enumerable.Range(0, 33).Sum(k => v[m * 33 + k] * v[m * 33 + k])).Within(1e-12));
            for (int n = 0; n < 4; n++) Assert.That(g[m * 4 + n], Is.EqualTo(g[n * 4 + m]).Within(1e-12));
        }
    }

    [Test]
    public void BadInputsNameTheLossAndTheShapes()
    {
        using var scope = Tensor.Scope();
        var a = Tensor.Zeros([1, 3, 4, 4]);
        var b = Tensor.Zeros([1, 3, 4, 5]);
        Assert.That(() => F.ContentLoss(a, b), Throws.ArgumentException.With.Message.Contains("ContentLoss").And.Message.Contains("[1, 3, 4, 5]"));
        Assert.That(() => F.StyleLoss(a, b, 4, 4), Throws.ArgumentException.With.Message.Contains("StyleLoss"));
        Assert.That(() => F.StyleLoss(a, a, 0, 4), Throws.ArgumentException.With.Message.Contains("positive"));
        Assert.That(() => F.Gram(Tensor.Zeros([5])), Throws.ArgumentException.With.Message.Contains("Gram"));
        Assert.That(() => F.TotalVariationLoss(Tensor.Zeros([3, 4])), Throws.ArgumentException.With.Message.Contains("TotalVariationLoss"));
        Assert.That(() => F.TotalVariationLoss(Tensor.FromArray(new[] { 1, 2, 3, 4 }, [1, 1, 2, 2])), Throws.InstanceOf<Exception>().With.Message.Contains("TotalVariationLoss"));
    }

    [Test]
    public void TotalVariationOfAFlatImageIsZeroWithZeroGradient()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Full([1, 3, 6, 5], 0.7, DType.Float64);
        x.RequiresGrad = true;
        var loss = F.TotalVariationLoss(x);
        Assert.That(loss.Item(), Is.EqualTo(0));
        loss.Backward();
        Assert.That(x.Grad!.ToDoubleArray(), Is.All.EqualTo(0));
        Assert.That(x.Grad!.ToDoubleArray().Any(double.IsNaN), Is.False);
    }
}
