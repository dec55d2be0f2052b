using Engine.Functional;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>
/// The blocked layout (Nchwc): the conv on random geometries against F.Conv2d (+ residual, then ReLU), pooling against
/// F.MaxPool2d / F.AvgPool2d, and the layout round trip. The blocked conv sums in another order, so results agree to
/// float32 rounding, not bit for bit.
/// </summary>
public class NchwcTests
{
    [SetUp]
    public void NeedsAvx512()
    {
        if (!Nchwc.Available) Assert.Ignore("the blocked kernels need AVX-512");
    }

    [Test]
    public void ToBlockedAndBackGiveTheSameImage()
    {
        using var x = Tensor.Randn([2, 32, 5, 7], generator: new Generator(1));
        using var b = Nchwc.ToBlocked(x);
        Assert.That(b.Shape, Is.EqualTo(new[] { 2, 2, 5, 7, 16 }));
        Assert.That(b.ToArray<float>()[(1 * 5 * 7 + 3) * 16 + 4], Is.EqualTo(x.ToArray<float>()[(20 * 5 + 0) * 7 + 3]), "channel 20 (block 1, lane 4) of image 0 at (0, 3)");
        using var back = Nchwc.Unblock(b);
        Assert.That(back.ToArray<float>(), Is.EqualTo(x.ToArray<float>()));
    }

    [Test]
    public void ConvMatchesConv2dOnRandomGeometries([Range(0, 39)] int seed)
    {
        var rng = new Random(seed);
        int[] channels = [3, 16, 32, 1, 48];
        int c = channels[rng.Next(channels.Length)], f = 16 * rng.Next(1, 9), k = rng.Next(1, 8);
        int stride = rng.Next(1, 4), dilation = rng.Next(1, 3), pad = rng.Next(0, k / 2 + 1);
        int span = dilation * (k - 1) + 1;
        int h = rng.Next(Math.Max(1, span - 2 * pad), 20), w = rng.Next(Math.Max(1, span - 2 * pad), 20), n = rng.Next(1, 4);
        bool bias = rng.Next(2) == 0, withResidual = rng.Next(2) == 0, relu = rng.Next(2) == 0;
        var g = new Generator((ulong)seed + 100);
        using var x = Tensor.Randn([n, c, h, w], generator: g);
        using var wt = Tensor.Randn([f, c, k, k], generator: g) * (1.0 / Math.Sqrt(c * k * k));
        using var b = bias ? Tensor.Randn([f], generator: g) : null;
        using var expected0 = F.Conv2d(x, wt, b, (stride, stride), (pad, pad), (dilation, dilation));
        using var residual = withResidual ? Tensor.Randn(expected0.Shape, generator: g) : null;
        using var sum = residual is null ? expected0 * 1.0 : expected0 + residual;
        using var expected = relu ? sum.Relu() : sum * 1.0;

        bool blockedInput = c % Nchwc.Block == 0;
        using var xb = blockedInput ? Nchwc.ToBlocked(x) : null;
        using var rb = residual is null ? null : Nchwc.ToBlocked(residual);
        var packed = new Nchwc.PackedConv(wt, b, blockedInput);
        using var y = Nchwc.Conv(xb ?? x, packed, stride, pad, dilation, rb, relu);
        using var got = Nchwc.Unblock(y);
        string what = $"x [{n}, {c}, {h}, {w}], {f} filters {k}×{k}, stride {stride}, pad {pad}, dilation {dilation}, bias {bias}, residual {withResidual}, relu {relu}";
        Assert.That(got.Shape, Is.EqualTo(expected.Shape), what);
        TensorAssert.Close(got, expected, 2e-5, what);
    }

    [Test]
    public void AnEmptyBatchGivesAnEmptyBlockedImage()
    {
        using var x = Tensor.Zeros([0, 16, 5, 5]);
        using var xb = Nchwc.ToBlocked(x);
        using var w = Tensor.Randn([32, 16, 3, 3]);
        using var y = Nchwc.Conv(xb, new Nchwc.PackedConv(w, null, blockedInput: true), 1, 1, 1, null, relu: true);
        Assert.That(y.Shape, Is.EqualTo(new[] { 0, 2, 5, 5, 16 }));
        using var pooled = Nchwc.MaxPool(y, 3, 3, 2, 1);
        using var back = Nchwc.Unblock(pooled);
        Assert.That(back.Shape, Is.EqualTo(new[] { 0, 32, 3, 3 }));
    }

    [Test]
    public void PoolingMatchesMaxPool2dAndAvgPool2d([Values(1, 2)] int stride, [Values(0, 1)] int pad)
    {
        using var x = Tensor.Randn([2, 32, 9, 8], generator: new Generator((ulong)(stride * 10 + pad)));
        using var xb = Nchwc.ToBlocked(x);
        using var max = Nchwc.MaxPool(xb, 3, 3, stride, pad);
        using var maxBack = Nchwc.Unblock(max);
        using var maxExpected = F.MaxPool2d(x, (3, 3), (stride, stride), (pad, pad));
        Assert.That(maxBack.ToArray<float>(), Is.EqualTo(maxExpected.ToArray<float>()));
        using var avg = Nchwc.AvgPool(xb, 2, 3, stride);
        using var avgBack = Nchwc.Unblock(avg);
        using var avgExpected = F.AvgPool2d(x, (2, 3), (stride, stride));
        TensorAssert.Close(avgBack, avgExpected, 1e-6, "average pooling");
    }

    [Test]
    public void MaxPoolPropagatesNaN()
    {
        var values = new float[16 * 4];
        values[2 * 16 + 5] = float.NaN;
        using var x = Nchwc.MarkBlocked(Tensor.FromArray(values, [1, 1, 2, 2, 16]));
        using var y = Nchwc.MaxPool(x, 2, 2, 1, 0);
        var got = y.ToArray<float>();
        Assert.That(float.IsNaN(got[5]), Is.True, "the window holding the NaN");
        Assert.That(got[4], Is.EqualTo(0f));
    }

    [Test]
    public void BadInputsAreErrorsNamingWhatWasExpected()
    {
        using var x = Tensor.Randn([1, 3, 4, 4]);
        Assert.That(() => Nchwc.ToBlocked(x), Throws.ArgumentException.With.Message.Contains("multiple of 16"));
        using var w = Tensor.Randn([16, 3, 3, 3]);
        var packed = new Nchwc.PackedConv(w, null, blockedInput: false);
        Assert.That(() => Nchwc.Conv(Tensor.Randn([1, 4, 4, 4]), packed, 1, 1, 1, null, false), Throws.ArgumentException.With.Message.Contains("3 channels"));
        Assert.That(() => Nchwc.Conv(x, packed, 1, 0, 1, Tensor.Randn([1, 16, 2, 2]), false), Throws.ArgumentException.With.Message.Contains("residual"));
        Assert.That(() => new Nchwc.PackedConv(Tensor.Randn([10, 3, 3, 3]), null, false), Throws.ArgumentException.With.Message.Contains("multiples of 16"));
        Assert.That(() => Nchwc.Unblock(x), Throws.ArgumentException.With.Message.Contains("not a blocked image"));
    }
}
