namespace Engine.Vision;

/// <summary>
/// Pictures of activations and filters (chapter 22): each channel standardised for display
/// ((v − mean)/std · 64 + 128, clipped to 0–255, as the book's Keras code does), and tiles laid out in
/// rows with margins.
/// </summary>
public static class ImageGrid
{
    /// <summary>One channel for display: (v − mean)/(std + 1e-5)·64 + 128, clipped to [0, 255].</summary>
    public static double[] Standardize(ReadOnlySpan<double> channel)
    {
        double mean = 0, sq = 0;
        foreach (double v in channel) mean += v;
        mean /= Math.Max(1, channel.Length);
        foreach (double v in channel) sq += (v - mean) * (v - mean);
        double std = Math.Sqrt(sq / Math.Max(1, channel.Length));
        var y = new double[channel.Length];
        for (int i = 0; i < y.Length; i++) y[i] = Math.Clamp((channel[i] - mean) / (std + 1e-5) * 64 + 128, 0, 255);
        return y;
    }

    /// <summary>
    /// The book's activation grid: a feature map [1, C, H, W] (or [C, H, W]) as grey tiles, each channel
    /// standardised, <paramref name="perRow"/> per row (16 in the book), <paramref name="margin"/> pixels between tiles.
    /// Returns a [rows·H + (rows−1)·margin, perRow·W + (perRow−1)·margin] tensor of 0–255 values.
    /// </summary>
    public static Tensor Activations(Tensor features, int perRow = 16, int margin = 1)
    {
        var s = features.Shape;
        if (!(s.Length == 4 && s[0] == 1) && s.Length != 3)
            throw new ArgumentException($"ImageGrid.Activations: expected one feature map [1, C, H, W] or [C, H, W], got {Tensor.ShapeString(s)}.");
        int c = s[^3], h = s[^2], w = s[^1];
        var v = features.ToDoubleArray();
        var tiles = new List<double[]>(c);
        for (int k = 0; k < c; k++) tiles.Add(Standardize(v.AsSpan(k * h * w, h * w)));
        return Tile(tiles, 1, h, w, Math.Min(perRow, c), margin);
    }

    /// <summary>
    /// Lays out equally sized images ([1, h, w] grey or [3, h, w] RGB planes, values 0–255) in rows of
    /// <paramref name="perRow"/>, <paramref name="margin"/> pixels of <paramref name="background"/> between them
    /// (the 22.2 filter grid: 8 per row, 5-px margins). Returns [channels, H, W].
    /// </summary>
    public static Tensor Tile(IReadOnlyList<Tensor> images, int perRow, int margin, double background = 0)
    {
        if (images.Count == 0) throw new ArgumentException("ImageGrid.Tile: no images.");
        var s = images[0].Shape;
        if (s.Length == 4 && s[0] == 1) s = s[1..];
        if (s.Length != 3 || s[0] is not (1 or 3))
            throw new ArgumentException($"ImageGrid.Tile: expected images [1, h, w] or [3, h, w], got {Tensor.ShapeString(images[0].Shape)}.");
        var data = new List<double[]>();
        foreach (var im in images)
        {
            if (im.Size != s[0] * s[1] * s[2]) throw new ArgumentException($"ImageGrid.Tile: images differ in size ({Tensor.ShapeString(im.Shape)} vs {Tensor.ShapeString(s)}).");
            data.Add(im.ToDoubleArray());
        }
        return Tile(data, s[0], s[1], s[2], perRow, margin, background);
    }

    private static Tensor Tile(List<double[]> tiles, int channels, int h, int w, int perRow, int margin, double background = 0)
    {
        if (perRow < 1 || margin < 0) throw new ArgumentOutOfRangeException(nameof(perRow), $"ImageGrid: perRow must be ≥ 1 and margin ≥ 0, got {perRow} and {margin}.");
        int rows = (tiles.Count + perRow - 1) / perRow;
        int gh = rows * h + (rows - 1) * margin, gw = perRow * w + (perRow - 1) * margin;
        var grid = new double[channels * gh * gw];
        Array.Fill(grid, background);
        for (int t = 0; t < tiles.Count; t++)
        {
            int top = t / perRow * (h + margin), left = t % perRow * (w + margin);
            for (int ch = 0; ch < channels; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        grid[(ch * gh + top + y) * gw + left + x] = tiles[t][(ch * h + y) * w + x];
        }
        return Tensor.FromArray(grid, channels == 1 ? [gh, gw] : [channels, gh, gw]).To(DType.Float32);
    }
}
