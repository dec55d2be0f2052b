using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Engine.Vision;

/// <summary>
/// Pictures ↔ tensors with SixLabors.ImageSharp: load a JPEG/PNG (optionally resized) as float32 RGB
/// values 0–255 in NCHW [1, 3, H, W] or NHWC [1, H, W, 3]; save an image tensor as PNG, written atomically.
/// </summary>
public static class ImageIO
{
    /// <summary>
    /// Loads <paramref name="path"/> as RGB 0–255, resized (ImageSharp's bicubic) to
    /// <paramref name="height"/>×<paramref name="width"/> when given (Keras image.load_img(target_size)).
    /// </summary>
    public static Tensor Load(string path, int? height = null, int? width = null, bool channelsLast = false) =>
        Load(path, null, height, width, channelsLast);

    /// <summary>
    /// Loads the rectangle <paramref name="crop"/> (x, y, width, height in pixels) of <paramref name="path"/>
    /// as RGB 0–255, resized to <paramref name="height"/>×<paramref name="width"/> when given.
    /// </summary>
    public static Tensor Load(string path, (int X, int Y, int Width, int Height)? crop, int? height = null, int? width = null, bool channelsLast = false)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ImageIO.Load: image file '{path}' does not exist.", path);
        Image<Rgb24> image;
        try { image = Image.Load<Rgb24>(path); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException)
        {
            throw new InvalidDataException($"ImageIO.Load: '{path}' is not a readable JPEG/PNG image: {e.Message}", e);
        }
        using (image)
        {
            if (crop is { } r)
            {
                if (r.X < 0 || r.Y < 0 || r.Width <= 0 || r.Height <= 0 || r.X + r.Width > image.Width || r.Y + r.Height > image.Height)
                    throw new ArgumentOutOfRangeException(nameof(crop), $"ImageIO.Load: crop {r} is outside the {image.Width}×{image.Height} image '{path}'.");
                image.Mutate(m => m.Crop(new Rectangle(r.X, r.Y, r.Width, r.Height)));
            }
            if (height is not null || width is not null)
            {
                int h = height ?? image.Height, w = width ?? image.Width;
                if (h <= 0 || w <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"ImageIO.Load: target size {h}×{w} must be positive.");
                image.Mutate(m => m.Resize(w, h));
            }
            return FromImage(image, channelsLast);
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/> as RGB 0–255, the largest centred square cropped out and resized to
    /// <paramref name="size"/>×<paramref name="size"/> (how ImageNet models are usually fed a photo).
    /// </summary>
    public static Tensor LoadCenterSquare(string path, int size, bool channelsLast = false)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"ImageIO.LoadCenterSquare: size must be positive, got {size}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"ImageIO.LoadCenterSquare: image file '{path}' does not exist.", path);
        Image<Rgb24> image;
        try { image = Image.Load<Rgb24>(path); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException)
        {
            throw new InvalidDataException($"ImageIO.LoadCenterSquare: '{path}' is not a readable JPEG/PNG image: {e.Message}", e);
        }
        using (image)
        {
            int side = Math.Min(image.Width, image.Height);
            image.Mutate(m => m.Crop(new Rectangle((image.Width - side) / 2, (image.Height - side) / 2, side, side)).Resize(size, size));
            return FromImage(image, channelsLast);
        }
    }

    /// <summary>Pixels → float32 [1, 3, H, W] (or [1, H, W, 3]) with values 0–255.</summary>
    internal static Tensor FromImage(Image<Rgb24> image, bool channelsLast)
    {
        int h = image.Height, w = image.Width;
        var data = new float[3 * h * w];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    var p = row[x];
                    if (channelsLast)
                    {
                        int o = (y * w + x) * 3;
                        data[o] = p.R; data[o + 1] = p.G; data[o + 2] = p.B;
                    }
                    else
                    {
                        int o = y * w + x;
                        data[o] = p.R; data[h * w + o] = p.G; data[2 * h * w + o] = p.B;
                    }
                }
            }
        });
        return Tensor.FromArray(data, channelsLast ? [1, h, w, 3] : [1, 3, h, w]);
    }

    /// <summary>
    /// Saves an image tensor as PNG: [H, W] or [1, H, W] grey, [3, H, W] or [1, 3, H, W] RGB planes, or
    /// [H, W, 3] RGB pixels, values 0–255 (rounded, clipped). The file is written under a temporary name, then moved.
    /// </summary>
    public static void SavePng(Tensor image, string path)
    {
        var (h, w, rgb) = Layout(image);
        var v = image.ToDoubleArray();
        bool planes = image.Rank != 3 || image.Dim(2) != 3 || image.Dim(0) == 3;
        using var img = new Image<Rgb24>(w, h);
        img.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    int o = y * w + x;
                    if (!rgb) { byte g = Byte(v[o]); row[x] = new Rgb24(g, g, g); }
                    else if (planes) row[x] = new Rgb24(Byte(v[o]), Byte(v[h * w + o]), Byte(v[2 * h * w + o]));
                    else row[x] = new Rgb24(Byte(v[3 * o]), Byte(v[3 * o + 1]), Byte(v[3 * o + 2]));
                }
            }
        });
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".part";
        using (var f = File.Create(tmp)) img.SaveAsPng(f);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>0–255 rounded and clipped; NaN becomes 0.</summary>
    internal static byte Byte(double v) => double.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(Math.Round(v), 0, 255);

    private static (int H, int W, bool Rgb) Layout(Tensor t)
    {
        var s = t.Shape;
        return s.Length switch
        {
            2 => (s[0], s[1], false),
            3 when s[0] == 1 => (s[1], s[2], false),
            3 when s[0] == 3 => (s[1], s[2], true),
            3 when s[2] == 3 => (s[0], s[1], true),
            4 when s[0] == 1 && s[1] == 3 => (s[2], s[3], true),
            4 when s[0] == 1 && s[1] == 1 => (s[2], s[3], false),
            _ => throw new ArgumentException($"ImageIO.SavePng: expected [H, W], [1, H, W], [3, H, W], [H, W, 3] or [1, 3, H, W], got {Tensor.ShapeString(s)}."),
        };
    }
}
