using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// The CPU's total variation (CpuBackend.Style.cs: row sums in parallel, each 2.5·s^0.25 made once per pixel in
/// the backward) against CpuReference's plain loops: images of one pixel up to many parallel chunks of rows
/// (chunks start inside planes and planes inside chunks), float and double.
/// </summary>
public class TotalVariationCpuTests
{
    [TestCase(1, 1, 1, 1)]
    [TestCase(1, 2, 2, 9)]
    [TestCase(2, 3, 17, 5)]
    [TestCase(2, 3, 700, 53)]
    [TestCase(1, 3, 416, 576)]
    public void MatchesTheReference(int n, int c, int h, int w)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            using var scope = Tensor.Scope();
            var x = Tensor.Randn([n, c, h, w], dtype, generator: new Generator(5));
            var dy = Tensor.Randn([n], dtype, generator: new Generator(6));
            var loss = Tensor.Zeros([n], dtype);
            var expected = Tensor.Zeros([n], dtype);
            CpuBackend.Instance.TotalVariation(x, loss);
            CpuReference.Instance.TotalVariation(x, expected);
            double tol = dtype == DType.Float32 ? 1e-6 : 1e-12;
            TensorAssert.Close(loss, expected, tol, $"TotalVariation {n}×{c}×{h}×{w} {dtype.Name()}");
            var dx = Tensor.Full([n, c, h, w], double.NaN, dtype);
            var dxExpected = Tensor.Zeros([n, c, h, w], dtype);
            CpuBackend.Instance.TotalVariationBackward(x, dy, dx);
            CpuReference.Instance.TotalVariationBackward(x, dy, dxExpected);
            TensorAssert.Close(dx, dxExpected, tol, $"TotalVariationBackward {n}×{c}×{h}×{w} {dtype.Name()}");
        }
    }
}
