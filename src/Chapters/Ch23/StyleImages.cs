using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Chapters.Ch23;

/// <summary>Image files of 23.3: load and resize a JPEG/PNG to RGB floats [3, H, W], write PNGs atomically, paste side by side.</summary>
public static class StyleImages
{
    /// <summary>
    /// RGB on 0–255 as [3, H, W] floats, resized to <paramref name="height"/> rows and <paramref name="width"/> columns,
    /// or without a width to the width that keeps the proportions (the notebook's img_ncols), passed through
    /// <paramref name="fitWidth"/> when given.
    /// </summary>
    public static (float[] Rgb, int Height, int Width) Load(string path, int height, int? width = null, Func<int, int>? fitWidth = null)
    {
        if (height < 8) throw new ArgumentException($"StyleImages: height must be ≥ 8, got {height}.");
        using var image = Image.Load<Rgb24>(path);
        int w = width ?? Math.Max(8, (int)Math.Round((double)image.Width * height / image.Height));
        if (width is null && fitWidth is not null) w = fitWidth(w);
        image.Mutate(c => c.Resize(w, height));
        var rgb = new float[3 * height * w];
        int plane = height * w;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < w; x++)
            {
                var p = image[x, y];
                int k = y * w + x;
                (rgb[k], rgb[plane + k], rgb[2 * plane + k]) = (p.R, p.G, p.B);
            }
        return (rgb, height, w);
    }

    /// <summary>Writes RGB bytes [3, H, W] as a PNG (through a temporary file, so a reader never sees half of it).</summary>
    public static void SavePng(byte[] rgb, int height, int width, string path) => SavePng([rgb], height, width, path);

    /// <summary>Writes several RGB images [3, H, W] of the same size side by side, 8 white pixels apart.</summary>
    public static void SavePng(IReadOnlyList<byte[]> images, int height, int width, string path)
    {
        const int gap = 8;
        int plane = height * width;
        using var canvas = new Image<Rgb24>(images.Count * width + (images.Count - 1) * gap, height, new Rgb24(255, 255, 255));
        for (int i = 0; i < images.Count; i++)
        {
            var rgb = images[i];
            if (rgb.Length != 3 * plane) throw new ArgumentException($"StyleImages: image {i} has {rgb.Length} values, expected 3·{height}·{width}.");
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    int k = y * width + x;
                    canvas[i * (width + gap) + x, y] = new Rgb24(rgb[k], rgb[plane + k], rgb[2 * plane + k]);
                }
        }
        string tmp = path + ".tmp";
        canvas.SaveAsPng(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Floats on 0–255 → bytes (rounded, clipped).</summary>
    public static byte[] ToBytes(float[] rgb) => rgb.Select(v => (byte)Math.Clamp(Math.Round(v), 0, 255)).ToArray();
}
