using Engine;
using Engine.Vision;

namespace Chapters.Ch23;

/// <summary>
/// What 23.3 needs of a backbone: its name, the content and style layers, the features of an image
/// [1, 3, H, W] by layer name, and the preprocessing of RGB pixels [3, H, W] (0–255) to its input and back.
/// </summary>
internal sealed record Backbone(
    string Name,
    string ContentLayer,
    IReadOnlyList<string> StyleLayers,
    Func<Tensor, IEnumerable<string>, IReadOnlyDictionary<string, Tensor>> Features,
    Func<float[], int, int, double[]> Preprocess,
    Func<double[], int, int, byte[]> Deprocess)
{
    /// <summary>The ImageNet ResNet18 of the NuGet package (<see cref="ResNet18StyleBackbone"/>).</summary>
    public static Backbone ResNet18(Device device)
    {
        var net = new ResNet18StyleBackbone(device);
        return new("ResNet18 (ONNX)", ResNet18StyleBackbone.ContentLayer, ResNet18StyleBackbone.StyleLayers, net.Features, net.Preprocess, net.Deprocess);
    }

    /// <summary>The book's Keras VGG19 with the weights of a notop .h5 file (<see cref="Vgg19StyleBackbone"/>).</summary>
    public static Backbone Vgg19(string weights, int height, int width, Device device)
    {
        var net = new Vgg19StyleBackbone(weights, height, width, device);
        return new($"VGG19 (Keras weights {Path.GetFileName(weights)})", Vgg19StyleBackbone.ContentLayer, Vgg19StyleBackbone.StyleLayers, net.Features, net.Preprocess, net.Deprocess);
    }
}
