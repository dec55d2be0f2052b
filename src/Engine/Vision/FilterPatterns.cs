namespace Engine.Vision;

/// <summary>
/// The pattern a filter responds to, by gradient ascent in input space (the book's 22.2): start from
/// grey noise (uniform [0, 1)·20 + 128, or centred on 0 for a model fed mean-subtracted input), then
/// repeat <c>steps</c> times: loss = mean activation of the filter, gradient w.r.t. the input divided by
/// its RMS + 1e-5, input += step · gradient. <see cref="Deprocess"/> turns the result into a picture.
/// </summary>
public static class FilterPatterns
{
    /// <summary>The input found and the filter's mean activation before each step and after the last.</summary>
    public sealed record Result(Tensor Input, double[] Losses);

    /// <summary>
    /// Gradient ascent on an input of shape <paramref name="inputShape"/> ([1, C, H, W]) to maximise the
    /// mean of channel <paramref name="filter"/> of <paramref name="activation"/>(input) ([1, K, h, w]).
    /// <paramref name="offset"/> is added to the noise (128 for raw pixels, 0 for centred inputs).
    /// </summary>
    public static Result Generate(Func<Tensor, Tensor> activation, int filter, int[] inputShape, Generator generator,
        int steps = 40, double step = 1, double offset = 128, Device? device = null)
    {
        var dev = device ?? Device.Cpu;
        var x = Tensor.Rand(inputShape, 0, 20, generator: generator).To(dev, copy: true);
        if (offset != 0) x.AddInPlace(offset);
        var losses = new double[steps + 1];
        for (int i = 0; i <= steps; i++)
        {
            using var scope = Tensor.Scope();
            x.ZeroGrad();
            x.RequiresGrad = i < steps;
            var a = activation(x);
            if (a.Rank != 4 || filter < 0 || filter >= a.Dim(1))
                throw new ArgumentException($"FilterPatterns: filter {filter} is not a channel of the activation {Tensor.ShapeString(a.Shape)}.");
            var loss = MeanOfChannel(a, filter);
            losses[i] = loss.Item();
            if (i == steps) break;
            loss.Backward();
            var g = x.Grad!;
            double rms = Math.Sqrt(g.Square().Mean().Item());
            using (Tensor.NoGrad()) x.AddInPlace(g * (step / (rms + 1e-5)));
        }
        x.RequiresGrad = false;
        return new Result(x, losses);
    }

    /// <summary>The mean of channel <paramref name="filter"/> of a [1, K, h, w] map.</summary>
    private static Tensor MeanOfChannel(Tensor a, int filter) => Functional.F.Narrow(a, 1, filter, 1).Mean();

    /// <summary>
    /// The book's deprocess_image: standardise (x − mean)/(std + 1e-5), ×0.1, +0.5, clip to [0, 1], ×255.
    /// [1, 3, H, W] → [3, H, W] with values 0–255 (channels in the order given).
    /// </summary>
    public static Tensor Deprocess(Tensor x)
    {
        var v = x.ToDoubleArray();
        double mean = v.Average(), std = Math.Sqrt(v.Select(t => (t - mean) * (t - mean)).Average());
        var y = v.Select(t => 255 * Math.Clamp((t - mean) / (std + 1e-5) * 0.1 + 0.5, 0, 1)).ToArray();
        var s = x.Shape;
        return Tensor.FromArray(y, s.Length == 4 ? s[1..] : s).To(DType.Float32);
    }
}
