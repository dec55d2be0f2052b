using NUnit.Framework;

namespace Engine.Tests.Autograd;

/// <summary>
/// Gradient check in float64 by central differences: L = Σ f(inputs) ⊙ r for a fixed random r, so every
/// output element matters; each input element is nudged by ±eps and (L+ − L−)/2eps compared with autograd.
/// </summary>
public static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-7, double rtol = 1e-5, string? what = null)
    {
        foreach (var x in inputs)
        {
            Assert.That(x.DType, Is.EqualTo(DType.Float64), "GradCheck wants float64 inputs");
            x.ZeroGrad();
            x.RequiresGrad = true;
        }
        var outShape = f(inputs).Shape;
        var r = Tensor.Rand(outShape, 0.5, 1.5, DType.Float64, generator: new Generator(99));
        var loss = (f(inputs) * r).Sum();
        loss.Backward();
        for (int k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            Assert.That(x.Grad, Is.Not.Null, $"{what}: input {k} got no gradient");
            var analytic = x.Grad!.ToArray<double>();
            var data = x.Span<double>();
            for (int i = 0; i < data.Length; i++)
            {
                double old = data[i];
                data[i] = old + eps;
                double plus = Eval(f, inputs, r);
                data = x.Span<double>();
                data[i] = old - eps;
                double minus = Eval(f, inputs, r);
                data = x.Span<double>();
                data[i] = old;
                double numeric = (plus - minus) / (2 * eps);
                Assert.That(analytic[i], Is.EqualTo(numeric).Within(atol + rtol * Math.Abs(numeric)),
                    $"{what}: d/d input{k}[{i}] analytic {analytic[i]} vs numeric {numeric}");
            }
        }
        foreach (var x in inputs) x.ZeroGrad();
    }

    private static double Eval(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor r)
    {
        using var _ = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        return (f(inputs) * r).Sum().Item();
    }

    /// <summary>Random float64 leaf of the given shape, values in [lo, hi), avoiding |x| &lt; gap (kinks).</summary>
    public static Tensor Rand(int[] shape, double lo = -2, double hi = 2, int seed = 1, double gap = 0.05)
    {
        var g = new Generator((ulong)seed);
        var data = new double[Tensor.SizeOf(shape)];
        for (int i = 0; i < data.Length; i++)
        {
            double v;
            do v = lo + (hi - lo) * g.NextDouble(); while (Math.Abs(v) < gap);
            data[i] = v;
        }
        return Tensor.FromArray(data, shape);
    }
}
