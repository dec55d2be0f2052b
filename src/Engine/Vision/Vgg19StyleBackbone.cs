using Engine.Layers;

namespace Engine.Vision;

/// <summary>
/// The book's style-transfer backbone: Keras VGG19 without the top, its weights read from a Keras .h5
/// file (vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5) and frozen, any image size. Content layer
/// block5_conv2; style layers block1_conv1 … block5_conv1. Preprocessing is Keras's "caffe" mode: RGB → BGR,
/// then the ImageNet channel means <see cref="ImagePreprocess.CaffeMeanBgr"/> subtracted, pixels on 0–255.
/// Images are channels-first [1, 3, H, W] (the layout <see cref="StyleTransferLoss"/> uses); the conv and
/// pooling layers run channels-first directly, so the features are [1, C, h, w] too.
/// </summary>
public sealed class Vgg19StyleBackbone
{
    /// <summary>The content layer of the book (Chollet 8.3).</summary>
    public const string ContentLayer = "block5_conv2";

    /// <summary>The style layers of the book: the first convolution of each of the five blocks.</summary>
    public static readonly IReadOnlyList<string> StyleLayers = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"];

    /// <summary>
    /// Builds VGG19 (no top) for <paramref name="height"/>×<paramref name="width"/> images, loads the weights file
    /// at <paramref name="weightsPath"/>, freezes it and moves it to <paramref name="device"/>. A missing file or one
    /// that does not hold VGG19's 16 convolutions is an exception naming the file and what was expected.
    /// </summary>
    public Vgg19StyleBackbone(string weightsPath, int height, int width, Device device, DType dtype = DType.Float32)
    {
        if (height < 32 || width < 32)
            throw new ArgumentException($"Vgg19StyleBackbone: the image must be at least 32×32 (Keras's VGG19 minimum: five 2×2 poolings), got {height}×{width}.");
        if (!File.Exists(weightsPath))
            throw new FileNotFoundException($"Vgg19StyleBackbone: no weights file at {weightsPath}; give Keras's vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5.", weightsPath);
        Model = Vgg.Vgg19(includeTop: false, inputShape: [height, width, 3], dtype: dtype);
        try
        {
            KerasH5.LoadWeights(Model, weightsPath);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Vgg19StyleBackbone: {weightsPath} is not a VGG19 notop weights file (expected the 16 conv layers block1_conv1 … block5_conv4 of vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5): {e.Message}", e);
        }
        Model.Trainable = false;
        foreach (var w in Model.Weights) w.Value.RequiresGrad = false;
        Model.To(device);
    }

    /// <summary>The network (input_1, block1_conv1 … block5_pool), frozen.</summary>
    public Sequential Model { get; }

    /// <summary>Mean per channel in B, G, R order (Keras's caffe preprocessing).</summary>
    public IReadOnlyList<double> MeanBgr => ImagePreprocess.CaffeMeanBgr;

    /// <summary>
    /// The named layer outputs [1, C, h, w] for a preprocessed image [1, 3, H, W]; runs the layers only up to
    /// the deepest one asked for; records autograd when the image requires grad.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Features(Tensor image, IEnumerable<string> layers)
    {
        var wanted = new HashSet<string>(layers);
        var input = Model.InputShape!;
        if (image.Rank != 4 || image.Dim(0) != 1 || image.Dim(1) != 3 || image.Dim(2) != input[0] || image.Dim(3) != input[1])
            throw new ArgumentException($"Vgg19StyleBackbone.Features: expected an image [1, 3, {input[0]}, {input[1]}], got {Tensor.ShapeString(image.Shape)}.");
        foreach (var name in wanted) Model.GetLayer(name);
        var result = new Dictionary<string, Tensor>();
        var x = image;
        foreach (var layer in Model.Layers)
        {
            if (result.Count == wanted.Count) break;
            if (layer is InputLayer) continue;
            x = layer.CallChannelsFirst(x, training: false);
            if (wanted.Contains(layer.Name)) result[layer.Name] = x;
        }
        return result;
    }

    /// <summary>RGB pixels [3, H, W] on 0–255 → the network's input x[c] = BGR[c] − mean[c], as doubles in [1, 3, H, W] order.</summary>
    public double[] Preprocess(float[] rgb, int height, int width) => ImagePreprocess.CaffePixels("Vgg19StyleBackbone.Preprocess", rgb, height, width, MeanBgr);

    /// <summary>The inverse of <see cref="Preprocess"/>, clipped to 0–255 and rounded: RGB bytes [3, H, W].</summary>
    public byte[] Deprocess(double[] x, int height, int width) => ImagePreprocess.CaffeToRgbBytes(x, height, width, MeanBgr);
}
