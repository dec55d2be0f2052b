using Engine;
using Engine.Layers;
using Engine.Vision;
using static Chapters.Ch22.Ch22Inputs;

namespace Chapters.Ch22;

/// <summary>
/// 22.3 as the book runs it, given Keras's VGG16 weights with the top (vgg16_weights_tf_dim_ordering_tf_kernels.h5):
/// the image resized to 224×224 and Caffe-preprocessed (RGB → BGR minus the ImageNet means), VGG16 predicts the
/// top ImageNet class (index into the 1000 classes; the book's elephant photo gives 386, "African elephant"),
/// Grad-CAM on block5_conv3 (14×14×512) for that class's softmax output, heatmap ÷ max, overlaid on the image at 0.4.
/// </summary>
internal static class Vgg16GradCam
{
    /// <summary>The book's last conv layer of VGG16.</summary>
    internal const string Layer = "block5_conv3";

    internal static void Run(ExerciseContext ctx, string weights)
    {
        var model = Load(weights, ctx.Device);
        using var scope = Tensor.Scope();
        string? imagePath = ctx.Options.GetValueOrDefault("image");
        var rgb = (imagePath is null ? Cat(ctx) : ImageIO.Load(imagePath, 224, 224)).To(ctx.Device);
        Tensor x;
        using (Tensor.NoGrad()) x = ImagePreprocess.Caffe(rgb);
        int split = model.Layers.Select((l, i) => (l, i)).First(p => p.l.Name == Layer).i;
        // x [1, 3, 224, 224] → A [1, 512, 14, 14]: the conv and pooling layers run channels-first.
        Tensor Features(Tensor t)
        {
            for (int i = 0; i < model.Layers.Count && i <= split; i++)
                if (model.Layers[i] is not InputLayer) t = model.Layers[i].CallChannelsFirst(t, training: false);
            return t;
        }
        // A → class probabilities [1, 1000]: block5_pool channels-first, then NHWC for Flatten (Keras's order) and the dense layers.
        Tensor Head(Tensor a)
        {
            a = model.Layers[split + 1].CallChannelsFirst(a, training: false).Permute(0, 2, 3, 1);
            for (int i = split + 2; i < model.Layers.Count; i++) a = model.Layers[i].Call(a);
            return a;
        }
        float[] probs;
        using (Tensor.NoGrad()) probs = Head(Features(x)).Cpu().ToArray<float>();
        var decoded = ImageNetClasses.Decode(probs, top: 3);
        var top = decoded.Select(d => d.Index).ToArray();
        ctx.Print($"VGG16 ({Path.GetFileName(weights)}) on {(imagePath is null ? "the cat frame" : Path.GetFileName(imagePath))}, 224×224: top classes "
            + string.Join(", ", decoded.Select(d => $"{d.Index} {d.Name} ({d.Probability.ToString("F4", Inv)})")) + " (the book's elephant: 386 African_elephant ≈ 0.91)");
        var cam = new GradCam(Features, Head);
        var heat = cam.Heatmap(x, top[0]);
        var h = heat.ToArray<float>();
        int peak = Array.IndexOf(h, h.Max());
        var file = ctx.OutFile("vgg16_gradcam.png");
        ImageIO.SavePng(Heatmap.Overlay(rgb.Cpu(), heat), file);
        ctx.Print($"Grad-CAM for class {top[0]} on {Layer} ({heat.Dim(0)}×{heat.Dim(1)}): heatmap in [{h.Min().ToString("F3", Inv)}, {h.Max().ToString("F3", Inv)}], "
            + $"peak at row {peak / heat.Dim(1)}, column {peak % heat.Dim(1)} → {Path.GetFileName(file)}");
        bool inRange = h.All(v => v >= 0 && v <= 1);
        ctx.Expect("22.3 VGG16 block5_conv3 heatmap in [0, 1]", "yes", inRange ? "yes" : $"no: [{h.Min()}, {h.Max()}]");
    }

    /// <summary>VGG16 with the top, the weights of <paramref name="weights"/>, frozen, on <paramref name="device"/>.</summary>
    internal static Sequential Load(string weights, Device device)
    {
        if (!File.Exists(weights))
            throw new FileNotFoundException($"22.3: no weights file at {weights}; give Keras's vgg16_weights_tf_dim_ordering_tf_kernels.h5 (VGG16 with the top).", weights);
        var model = Vgg.Vgg16(includeTop: true);
        try
        {
            KerasH5.LoadWeights(model, weights);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"22.3: {weights} is not a VGG16 weights file with the top (vgg16_weights_tf_dim_ordering_tf_kernels.h5: 13 conv layers, fc1, fc2, predictions): {e.Message}", e);
        }
        model.Trainable = false;
        foreach (var w in model.Weights) w.Value.RequiresGrad = false;
        return model.To(device);
    }
}
