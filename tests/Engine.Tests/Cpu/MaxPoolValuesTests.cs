using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>
/// CpuBackend.MaxPool2dValues (inference max pooling without argmax; 3×3/2 pad 1 float runs separably) against
/// CpuReference.MaxPool2d bit for bit: odd and even sizes, rows too short for the vector blocks, NaNs, ties of +0
/// and −0, and the windows that fall back to CpuBackend.MaxPool2d.
/// </summary>
public class MaxPoolValuesTests
{
    private static readonly CpuBackend B = CpuBackend.Instance;
    private static readonly CpuReference R = CpuReference.Instance;

    private static Tensor Input(int n, int c, int h, int w, DType dtype, int seed)
    {
        var rng = new Random(seed);
        var values = new double[n * c * h * w];
        for (int i = 0; i < values.Length; i++)
            values[i] = rng.Next(10) switch
            {
                0 => double.NaN,
                1 => 0.0,
                2 => -0.0,
                3 => rng.Next(3) - 1, // ties of small integers
                _ => rng.NextDouble() * 4 - 2,
            };
        return Tensor.FromArray(values, [n, c, h, w]).To(dtype);
    }

    private static (Tensor Values, Tensor Reference) Both(Tensor x, int k, int s, int p)
    {
        int oh = (x.Dim(2) + 2 * p - k) / s + 1, ow = (x.Dim(3) + 2 * p - k) / s + 1;
        int[] shape = [x.Dim(0), x.Dim(1), oh, ow];
        var values = Tensor.Full(shape, 7.0, x.DType);
        var expected = Tensor.Full(shape, 7.0, x.DType);
        B.MaxPool2dValues(x, k, k, s, p, values);
        R.MaxPool2d(x, k, k, s, p, expected, Tensor.Zeros(shape, DType.Int32));
        return (values, expected);
    }

    private static long[] Bits(Tensor t) => t.DType == DType.Float32
        ? t.ToArray<float>().Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray()
        : t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).ToArray();

    [TestCase(2, 3, 112, 112)]
    [TestCase(1, 2, 17, 17)]
    [TestCase(3, 4, 33, 35)]
    [TestCase(2, 2, 18, 16)]
    [TestCase(1, 3, 19, 19)]
    [TestCase(2, 5, 21, 50)]
    [TestCase(1, 1, 2, 2)]
    [TestCase(1, 2, 1, 40)]
    [TestCase(2, 1, 40, 1)]
    public void ResNetWindowGivesTheReferenceBitForBit(int n, int c, int h, int w)
    {
        using var scope = Tensor.Scope();
        var x = Input(n, c, h, w, DType.Float32, n * 1000 + c * 100 + h + w);
        var (values, expected) = Both(x, 3, 2, 1);
        Assert.That(Bits(values), Is.EqualTo(Bits(expected)), $"{n}×{c}×{h}×{w}");
    }

    [TestCase(2, 2, 0, DType.Float32)]
    [TestCase(3, 2, 1, DType.Float64)]
    [TestCase(3, 1, 1, DType.Float32)]
    [TestCase(5, 3, 2, DType.Float32)]
    public void OtherWindowsAndDoublesGiveTheReferenceBitForBit(int k, int s, int p, DType dtype)
    {
        using var scope = Tensor.Scope();
        var x = Input(2, 3, 23, 26, dtype, k * 10 + s + p);
        var (values, expected) = Both(x, k, s, p);
        Assert.That(Bits(values), Is.EqualTo(Bits(expected)), $"{k}×{k}/{s} pad {p} {dtype}");
    }

    [Test]
    public void WrongOutputShapeThrows()
    {
        using var scope = Tensor.Scope();
        var x = Tensor.Zeros([1, 2, 8, 8]);
        var ex = Assert.Throws<ArgumentException>(() => B.MaxPool2dValues(x, 3, 3, 2, 1, Tensor.Zeros([1, 2, 3, 4])));
        Assert.That(ex!.Message, Does.Contain("MaxPool2dValues").And.Contain("[1, 2, 4, 4]"));
    }
}
