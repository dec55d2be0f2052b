namespace Engine.Vision;

/// <summary>
/// Class-activation heatmaps as pictures: bilinear resize to the image, the jet colormap, and the
/// book's overlay 0.4·heatmap + image (cv2.applyColorMap(COLORMAP_JET) then addition, saturated at 255).
/// </summary>
public static class Heatmap
{
    /// <summary>Jet colormap of v in [0, 1] → (r, g, b) in [0, 1]: blue → cyan → yellow → red.</summary>
    public static (double R, double G, double B) Jet(double v)
    {
        v = Math.Clamp(double.IsNaN(v) ? 0 : v, 0, 1);
        static double Ramp(double t) => Math.Clamp(1.5 - Math.Abs(t), 0, 1);
        return (Ramp(4 * v - 3), Ramp(4 * v - 2), Ramp(4 * v - 1));
    }

    /// <summary>
    /// Bilinear resize of a [h, w] map to [height, width] with half-pixel centres (cv2.resize INTER_LINEAR).
    /// </summary>
    public static Tensor Resize(Tensor map, int height, int width)
    {
        if (map.Rank != 2) throw new ArgumentException($"Heatmap.Resize: expected a [h, w] map, got {Tensor.ShapeString(map.Shape)}.");
        int h = map.Dim(0), w = map.Dim(1);
        var src = map.ToDoubleArray();
        var dst = new double[height * width];
        for (int y = 0; y < height; y++)
        {
            double sy = Math.Clamp((y + 0.5) * h / height - 0.5, 0, h - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                double sx = Math.Clamp((x + 0.5) * w / width - 0.5, 0, w - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
                double bottom = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
                dst[y * width + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return Tensor.FromArray(dst, [height, width]).To(DType.Float32);
    }

    /// <summary>A [h, w] map in [0, 1] as jet RGB planes [3, h, w] with values 0–255.</summary>
    public static Tensor Colorize(Tensor map)
    {
        if (map.Rank != 2) throw new ArgumentException($"Heatmap.Colorize: expected a [h, w] map, got {Tensor.ShapeString(map.Shape)}.");
        var v = map.ToDoubleArray();
        int n = v.Length;
        var rgb = new double[3 * n];
        for (int i = 0; i < n; i++)
        {
            var (r, g, b) = Jet(v[i]);
            rgb[i] = 255 * r; rgb[n + i] = 255 * g; rgb[2 * n + i] = 255 * b;
        }
        return Tensor.FromArray(rgb, [3, map.Dim(0), map.Dim(1)]).To(DType.Float32);
    }

    /// <summary>
    /// The book's superimposed image: image [1, 3, H, W] or [3, H, W] (RGB 0–255; [1, 1, H, W] grey is
    /// repeated), heatmap [h, w] in [0, 1] resized to H×W and colourised; alpha·heatmap + image, clipped
    /// to 255. Returns [3, H, W].
    /// </summary>
    public static Tensor Overlay(Tensor image, Tensor heatmap, double alpha = 0.4)
    {
        var s = image.Shape;
        if (s.Length == 4 && s[0] == 1) s = s[1..];
        if (s.Length != 3 || s[0] is not (1 or 3))
            throw new ArgumentException($"Heatmap.Overlay: expected an image [1, 3, H, W], [3, H, W] or grey [1, 1, H, W], got {Tensor.ShapeString(image.Shape)}.");
        int h = s[1], w = s[2], n = h * w;
        var img = image.ToDoubleArray();
        var heat = Colorize(Resize(heatmap, h, w)).ToDoubleArray();
        var y = new double[3 * n];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < n; i++)
                y[c * n + i] = Math.Min(255, alpha * heat[c * n + i] + img[(s[0] == 3 ? c : 0) * n + i]);
        return Tensor.FromArray(y, [3, h, w]).To(DType.Float32);
    }
}
