namespace Engine.Vision;

/// <summary>
/// The pattern a filter responds to, by gradient ascent in input space (the book's 22.2): start from
/// grey noise (uniform [0, noise) + offset; the book's 20 and 128 for raw pixels, −10 to centre it for
/// mean-subtracted inputs), then repeat <c>steps</c> times: loss = mean activation of the filter, gradient w.r.t. the
/// input divided by its RMS + 1e-5, input += step · gradient. Several filters run together as one
/// batch, one image per filter (each image's loss and RMS are its own; the model must be in eval mode
/// so that the images do not mix). <see cref="Deprocess"/> turns a result into a picture.
/// </summary>
public static class FilterPatterns
{
    /// <summary>The inputs found [F, C, H, W] and each filter's mean activation before each step and after the last ([F][steps + 1]).</summary>
    public sealed record Result(Tensor Inputs, double[][] Losses);

    /// <summary>
    /// Gradient ascent for <paramref name="filters"/> of <paramref name="activation"/> (input [F, C, H, W]
    /// → feature map [F, K, h, w]); image i maximises the mean of channel filters[i].
    /// </summary>
    public static Result Generate(Func<Tensor, Tensor> activation, IReadOnlyList<int> filters, int channels, int height, int width,
        Generator generator, int steps = 40, double step = 1, double offset = 128, double noise = 20, Device? device = null)
    {
        int n = filters.Count;
        if (n == 0) throw new ArgumentException("FilterPatterns: no filters given.");
        var dev = device ?? Device.Cpu;
        Tensor x;
        using (var start = Tensor.Rand([n, channels, height, width], 0, noise, generator: generator)) x = (start + offset).To(dev, copy: true);
        var losses = Enumerable.Range(0, n).Select(_ => new double[steps + 1]).ToArray();
        Tensor? mask = null;
        for (int s = 0; s <= steps; s++)
        {
            using var scope = Tensor.Scope();
            x.ZeroGrad();
            x.RequiresGrad = s < steps;
            var a = activation(x);
            if (a.Rank != 4 || a.Dim(0) != n)
                throw new ArgumentException($"FilterPatterns: the activation of {n} images has shape {Tensor.ShapeString(a.Shape)}; expected [{n}, K, h, w].");
            mask ??= scope.Keep(OneHot(filters, a.Dim(1), a.DType, a.Device));
            // Σ_i mean_{h,w} a[i, filters[i]]: the images are independent, so each gets its own gradient.
            var perImage = (a * mask).Sum(3).Sum(2).Sum(1) / (a.Dim(2) * a.Dim(3));
            var values = perImage.ToDoubleArray();
            for (int i = 0; i < n; i++) losses[i][s] = values[i];
            if (s == steps) break;
            perImage.Sum().Backward();
            var g = x.Grad!;
            var rms = g.Square().Reshape(n, -1).Mean(1).Sqrt().Reshape(n, 1, 1, 1);
            using (Tensor.NoGrad()) x.AddInPlace(g / (rms + 1e-5) * step);
        }
        mask?.Dispose();
        x.ZeroGrad();
        x.RequiresGrad = false;
        return new Result(x, losses);
    }

    /// <summary>[F, K, 1, 1] with a 1 at [i, filters[i]].</summary>
    private static Tensor OneHot(IReadOnlyList<int> filters, int k, DType dtype, Device device)
    {
        var m = new double[filters.Count * k];
        for (int i = 0; i < filters.Count; i++)
        {
            if (filters[i] < 0 || filters[i] >= k) throw new ArgumentOutOfRangeException(nameof(filters), $"FilterPatterns: filter {filters[i]} is not one of the {k} channels.");
            m[i * k + filters[i]] = 1;
        }
        return Tensor.FromDoubles(m, [filters.Count, k, 1, 1], dtype, device);
    }

    /// <summary>
    /// The book's deprocess_image for one image [C, H, W] (or [1, C, H, W]): standardise
    /// (x − mean)/(std + 1e-5), ×0.1, +0.5, clip to [0, 1], ×255. Returns [C, H, W] with values 0–255.
    /// </summary>
    public static Tensor Deprocess(Tensor x)
    {
        var s = x.Shape;
        if (s.Length == 4 && s[0] == 1) s = s[1..];
        if (s.Length != 3) throw new ArgumentException($"FilterPatterns.Deprocess: expected one image [C, H, W], got {Tensor.ShapeString(x.Shape)}.");
        var v = x.ToDoubleArray();
        double mean = v.Average(), std = Math.Sqrt(v.Select(t => (t - mean) * (t - mean)).Average());
        var y = v.Select(t => 255 * Math.Clamp((t - mean) / (std + 1e-5) * 0.1 + 0.5, 0, 1)).ToArray();
        using var d = Tensor.FromArray(y, s);
        return d.To(DType.Float32);
    }
}
