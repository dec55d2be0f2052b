using Engine.Functional;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>F.Concat, F.Narrow and F.Pad2d (the ONNX importer's Concat, Split, groups and padding): values, gradients, and the device-independent row path against the CPU block copies.</summary>
public class ConcatNarrowPadTests
{
    [Test]
    public void ConcatAndNarrowAgreeOnBothPathsAlongEveryAxis()
    {
        var g = new Generator(8);
        using var a = Tensor.Rand([2, 3, 4], generator: g);
        for (int ax = 0; ax < 3; ax++)
        {
            var shapeB = a.Shape;
            shapeB[ax] = 2;
            using var b = Tensor.Rand(shapeB, generator: g);
            var fast = F.Concat([a, b], ax);
            var rows = F.ConcatByRows([a, b], ax, a.Dim(ax) + 2);
            Assert.That(fast.Shape, Is.EqualTo(rows.Shape));
            Assert.That(fast.ToArray<float>(), Is.EqualTo(rows.ToArray<float>()), $"concat axis {ax}");
            var back = F.Narrow(fast, ax, a.Dim(ax), 2);
            Assert.That(back.ToArray<float>(), Is.EqualTo(b.ToArray<float>()), $"narrow axis {ax}");
            Assert.That(F.NarrowByRows(fast, ax, a.Dim(ax), 2).ToArray<float>(), Is.EqualTo(b.ToArray<float>()), $"narrow by rows axis {ax}");
        }
        Assert.Throws<ArgumentException>(() => F.Concat([a, Tensor.Zeros([2, 4, 4])], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.Narrow(a, 1, 2, 2));
    }

    [Test]
    public void GradientsMatchCentralDifferences()
    {
        var a = GradCheck.Rand([2, 3, 2, 2], seed: 1);
        var b = GradCheck.Rand([2, 1, 2, 2], seed: 2);
        GradCheck.Check(t => F.Concat([t[0], t[1]], 1), [a, b], what: "Concat");
        GradCheck.Check(t => F.Narrow(t[0], 1, 1, 2), [a], what: "Narrow");
        GradCheck.Check(t => F.Pad2d(t[0], 1, 0, 2, 1, value: 0.5), [a], what: "Pad2d");
        GradCheck.Check(t => F.ConcatByRows([t[0], t[1]], 1, 4), [a, b], what: "Concat by rows");
        GradCheck.Check(t => F.NarrowByRows(t[0], 3, 1, 1), [a], what: "Narrow by rows");
    }

    [Test]
    public void Pad2dPlacesTheValueAround()
    {
        using var x = Tensor.Ones([1, 1, 2, 2]);
        var y = F.Pad2d(x, 1, 0, 0, 2, value: -1);
        Assert.That(y.Shape, Is.EqualTo(new[] { 1, 1, 3, 4 }));
        Assert.That(y.ToArray<float>(), Is.EqualTo(new float[] { -1, -1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1 }));
    }
}
