using Engine.IO.Onnx;
using Engine.IO.Onnx.Proto;

namespace Engine.Vision;

/// <summary>
/// The ImageNet ResNet18 of <see cref="ResNet18Onnx"/> as a style-transfer backbone (the role VGG19 plays in
/// the book): frozen weights, any image size, and the layers Chollet's recipe asks for — one deep content
/// layer and five style layers, one per stage. Its preprocessing is the package's: RGB → BGR, then the
/// ImageNet mean subtracted (here the channel means of the package's 224×224 mean image, as the image
/// may have any size). Pixels stay on the 0–255 scale, like Keras' VGG "caffe" preprocessing.
/// </summary>
public sealed class ResNet18StyleBackbone
{
    /// <summary>The content layer: the output of the first block of stage 4 (512 channels, 1/32 of the size) — the analogue of VGG19's block5_conv2.</summary>
    public const string ContentLayer = "ReLU365_Output_0";

    /// <summary>
    /// The style layers, one per stage — the stem's ReLU, then the first ReLU of stages 1–4 (64, 64, 128, 256,
    /// 512 channels at 1/2 … 1/32 of the size) — the analogues of VGG19's block1_conv1 … block5_conv1.
    /// </summary>
    public static readonly IReadOnlyList<string> StyleLayers =
        ["ReLU253_Output_0", "ReLU261_Output_0", "ReLU289_Output_0", "ReLU321_Output_0", "ReLU353_Output_0"];

    private readonly OnnxModel _model;

    /// <summary>
    /// Image sides must be multiples of this: the graph's stride-2 convolutions carry explicit pads worked out
    /// for 224×224, which keep the main and shortcut paths of a block the same size only for even sides at
    /// every one of the five halvings.
    /// </summary>
    public const int SizeMultiple = 32;

    /// <summary>The nearest multiple of <see cref="SizeMultiple"/> (at least one), halves rounded up: 400 → 416.</summary>
    public static int FitSize(int n) => Math.Max(SizeMultiple, (n + SizeMultiple / 2) / SizeMultiple * SizeMultiple);

    /// <summary>
    /// Loads the model from the NuGet package folder with every BatchNormalization folded into the convolution
    /// before it (<see cref="OnnxModel.FoldBatchNorm"/>: the weights are frozen and batch norm runs in eval mode,
    /// so the folded conv is the same function of the pixels, one pass instead of two forward and backward),
    /// freezes it and moves it to <paramref name="device"/>.
    /// </summary>
    public ResNet18StyleBackbone(Device device)
    {
        _model = ResNet18Onnx.Load().FoldBatchNorm();
        _model.CheckInputShapes = false;
        foreach (var p in _model.Parameters()) p.RequiresGrad = false;
        _model.To(device);
        MeanBgr = ChannelMeans(ResNet18Onnx.PreprocessPath);
    }

    /// <summary>The imported network.</summary>
    public OnnxModel Model => _model;

    /// <summary>Mean of the package's mean image per channel, in B, G, R order.</summary>
    public double[] MeanBgr { get; }

    /// <summary>The named layer outputs for an image [1, 3, H, W] (preprocessed); records autograd when the image requires grad.</summary>
    public IReadOnlyDictionary<string, Tensor> Features(Tensor image, IEnumerable<string> layers) => _model.Run(image, layers.ToArray());

    /// <summary>RGB pixels [3, H, W] on 0–255 → the network's input x[c] = BGR[c] − mean[c], as doubles in [1, 3, H, W] order.</summary>
    public double[] Preprocess(float[] rgb, int height, int width) => ImagePreprocess.CaffePixels("ResNet18StyleBackbone.Preprocess", rgb, height, width, MeanBgr);

    /// <summary>The inverse of <see cref="Preprocess"/>, clipped to 0–255 and rounded: RGB bytes [3, H, W].</summary>
    public byte[] Deprocess(double[] x, int height, int width) => ImagePreprocess.CaffeToRgbBytes(x, height, width, MeanBgr);

    /// <summary>Per-channel means of the 'MeanImage' initializer [1, 3, 224, 224] of the package's preprocessing graph.</summary>
    private static double[] ChannelMeans(string path)
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var init = proto.Graph.Initializer.FirstOrDefault(i => i.Name == "MeanImage")
            ?? throw new InvalidDataException($"ResNet18StyleBackbone: {path} has no initializer 'MeanImage'.");
        using var mean = OnnxTensors.ToTensor(init, path + " MeanImage");
        if (mean.Rank < 3 || mean.Dim(mean.Rank - 3) != 3 || mean.Size % 3 != 0)
            throw new InvalidDataException($"ResNet18StyleBackbone: MeanImage of {path} has shape {Tensor.ShapeString(mean.Shape)}, expected [(1,) 3, H, W].");
        var v = mean.ToDoubleArray();
        int plane = v.Length / 3;
        return [.. Enumerable.Range(0, 3).Select(c => v.AsSpan(c * plane, plane).ToArray().Average())];
    }
}
