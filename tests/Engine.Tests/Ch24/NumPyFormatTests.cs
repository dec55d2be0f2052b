using Chapters.Ch24;
using NUnit.Framework;

namespace Engine.Tests.Ch24;

/// <summary>The NumPy-style printer matches what NumPy 1.24 prints for the same arrays.</summary>
public class NumPyFormatTests
{
    [Test]
    public void PositionalPadsLikeNumPy()
    {
        Assert.That(NumPyFormat.Array([-1.72, -3.5], [1, 2]), Is.EqualTo("[[-1.72 -3.5 ]]"));
        Assert.That(NumPyFormat.Array([1.5, -3.5, 100.25], [3]), Is.EqualTo("[  1.5   -3.5  100.25]"));
        Assert.That(NumPyFormat.Array([0, 0.1, 0.2, 0.3], [2, 2]), Is.EqualTo("[[0.  0.1]\n [0.2 0.3]]"));
        Assert.That(NumPyFormat.Array([1, 2], [2]), Is.EqualTo("[1. 2.]"));
    }

    [Test]
    public void ScientificWhenValuesSpanMoreThanAThousand()
    {
        Assert.That(NumPyFormat.Array([1e-5, 1.0], [2]), Is.EqualTo("[1.e-05 1.e+00]"));
        Assert.That(NumPyFormat.Array([9.99954600e-01, 4.53978686e-05, 2.06106005e-09], [3]),
            Is.EqualTo("[9.99954600e-01 4.53978686e-05 2.06106005e-09]"));
    }

    [Test]
    public void BooleansAndScalars()
    {
        Assert.That(NumPyFormat.Bools([false, true, true, false], [2, 2]), Is.EqualTo("[[False  True]\n [ True False]]"));
        Assert.That(NumPyFormat.Scalar(3.8020999999999994), Is.EqualTo("3.8021"));
    }
}
