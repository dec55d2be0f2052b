using Engine.Functional;

namespace Engine.Vision;

/// <summary>
/// Input normalisations of pretrained ImageNet models, on NCHW RGB images with values 0–255 (as
/// <c>ImageIO.Load</c> gives). All are tensor ops: they run on any device and record autograd.
/// </summary>
public static class ImagePreprocess
{
    /// <summary>Caffe's ImageNet channel means in B, G, R order (Keras vgg16.preprocess_input).</summary>
    public static readonly double[] CaffeMeanBgr = [103.939, 116.779, 123.68];

    /// <summary>torchvision's ImageNet mean and standard deviation in R, G, B order (of values in [0, 1]).</summary>
    public static readonly double[] ImageNetMean = [0.485, 0.456, 0.406], ImageNetStd = [0.229, 0.224, 0.225];

    /// <summary>RGB ↔ BGR: the channel axis (1) of [N, 3, H, W] reversed.</summary>
    public static Tensor SwapRedBlue(Tensor x)
    {
        CheckRgb("SwapRedBlue", x);
        return F.Concat([F.Narrow(x, 1, 2, 1), F.Narrow(x, 1, 1, 1), F.Narrow(x, 1, 0, 1)], 1);
    }

    /// <summary>Caffe style (Keras VGG16/VGG19): RGB → BGR, then each channel minus its ImageNet mean; no scaling.</summary>
    public static Tensor Caffe(Tensor rgb)
    {
        CheckRgb("Caffe", rgb);
        using var mean = Tensor.FromDoubles(CaffeMeanBgr, [1, 3, 1, 1], rgb.DType, rgb.Device);
        return SwapRedBlue(rgb) - mean;
    }

    /// <summary>torchvision style: (x/255 − mean)/std per RGB channel.</summary>
    public static Tensor ImageNet(Tensor rgb)
    {
        CheckRgb("ImageNet", rgb);
        using var mean = Tensor.FromDoubles(ImageNetMean, [1, 3, 1, 1], rgb.DType, rgb.Device);
        using var std = Tensor.FromDoubles(ImageNetStd, [1, 3, 1, 1], rgb.DType, rgb.Device);
        return (rgb / 255.0 - mean) / std;
    }

    private static void CheckRgb(string op, Tensor x)
    {
        if (x.Rank != 4 || x.Dim(1) != 3)
            throw new ArgumentException($"ImagePreprocess.{op}: expected RGB images [N, 3, H, W], got {Tensor.ShapeString(x.Shape)}.");
    }

    /// <summary>RGB pixels [3, H, W] on 0–255 → x[c] = BGR[c] − meanBgr[c], as doubles in [1, 3, H, W] order (Caffe-style input).</summary>
    public static double[] CaffePixels(string op, float[] rgb, int height, int width, IReadOnlyList<double> meanBgr)
    {
        int plane = height * width;
        if (rgb.Length != 3 * plane) throw new ArgumentException($"{op}: expected 3·{height}·{width} values, got {rgb.Length}.");
        var x = new double[rgb.Length];
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < plane; k++) x[c * plane + k] = rgb[(2 - c) * plane + k] - meanBgr[c];
        return x;
    }

    /// <summary>The inverse of <see cref="CaffePixels"/>, clipped to 0–255 and rounded: RGB bytes [3, H, W].</summary>
    public static byte[] CaffeToRgbBytes(double[] x, int height, int width, IReadOnlyList<double> meanBgr)
    {
        int plane = height * width;
        var rgb = new byte[x.Length];
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < plane; k++) rgb[(2 - c) * plane + k] = (byte)Math.Clamp(Math.Round(x[c * plane + k] + meanBgr[c]), 0, 255);
        return rgb;
    }
}
