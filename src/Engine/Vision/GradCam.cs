using Engine.IO.Onnx;
using Engine.Nn;

namespace Engine.Vision;

/// <summary>
/// Grad-CAM (Selvaraju et al.; the book's 22.3): for one image, the feature map A [1, K, h, w] of a
/// chosen conv layer and a scalar score s (a class logit or any function of the output); channel
/// weights α_k = mean over h, w of ∂s/∂A_k; heatmap = ReLU(Σ_k α_k A_k) ÷ its maximum, in [0, 1].
/// (For a network ending in global average pooling and one dense layer this is CAM, with α the dense weights.)
/// The network is split at the layer: <c>features</c> maps the input to A, <c>head</c> maps A to the output.
/// <code>
/// var cam = new GradCam(model, layer: 3);          // a Sequential, split after its 4th module
/// Tensor heat = cam.Heatmap(x, classIndex: 7);     // [h, w] in [0, 1]
/// </code>
/// </summary>
public sealed class GradCam
{
    private readonly Func<Tensor, Tensor> _features;
    private readonly Func<Tensor, Tensor> _head;

    /// <summary>Grad-CAM over any split of a network: input → A and A → output.</summary>
    public GradCam(Func<Tensor, Tensor> features, Func<Tensor, Tensor> head)
    {
        _features = features;
        _head = head;
    }

    /// <summary>Grad-CAM for a Sequential: A is the output of module <paramref name="layer"/> (0-based).</summary>
    public GradCam(Sequential model, int layer)
        : this(x => RunLayers(model, x, 0, layer + 1), a => RunLayers(model, a, layer + 1, model.Layers.Count))
    {
        if (layer < 0 || layer >= model.Layers.Count - 1)
            throw new ArgumentOutOfRangeException(nameof(layer), $"GradCam: layer {layer} must be one of the {model.Layers.Count} modules except the last.");
    }

    /// <summary>Grad-CAM for an imported ONNX model: A is the value named <paramref name="layer"/>; the output is <paramref name="output"/> (default the first graph output).</summary>
    public GradCam(OnnxModel model, string layer, string? output = null)
        : this(x => model.Run(x, layer)[layer], a => model.Run(new Dictionary<string, Tensor> { [layer] = a }, output ?? model.OutputNames[0])[output ?? model.OutputNames[0]])
    {
    }

    /// <summary>The channel weights α_k of the last heatmap.</summary>
    public double[] Weights { get; private set; } = [];

    /// <summary>The heatmap for the score of class <paramref name="classIndex"/> (output [1, classes]).</summary>
    public Tensor Heatmap(Tensor image, int classIndex) => Heatmap(image, y =>
    {
        var flat = y.Reshape(1, -1);
        if (classIndex < 0 || classIndex >= flat.Dim(1))
            throw new ArgumentOutOfRangeException(nameof(classIndex), $"GradCam: class {classIndex} is outside the output {Tensor.ShapeString(y.Shape)}.");
        return flat.Reshape(-1).IndexSelect([classIndex]).Sum();
    });

    /// <summary>The heatmap [h, w] in [0, 1] for any scalar <paramref name="score"/> of the output.</summary>
    public Tensor Heatmap(Tensor image, Func<Tensor, Tensor> score)
    {
        if (image.Rank < 1 || image.Dim(0) != 1)
            throw new ArgumentException($"GradCam: expected one image (batch of 1), got {Tensor.ShapeString(image.Shape)}.");
        Tensor a;
        using (Tensor.NoGrad()) a = _features(image);
        if (a.Rank != 4) throw new ArgumentException($"GradCam: the chosen layer gives {Tensor.ShapeString(a.Shape)}; expected a conv feature map [1, K, h, w].");
        var leaf = a.Detach();
        leaf.RequiresGrad = true;
        var s = score(_head(leaf));
        if (s.Size != 1) throw new ArgumentException($"GradCam: the score must be a scalar, got {Tensor.ShapeString(s.Shape)}.");
        s.Backward();
        int k = a.Dim(1), h = a.Dim(2), w = a.Dim(3);
        var grad = leaf.Grad!.ToDoubleArray();
        var act = a.ToDoubleArray();
        var alpha = new double[k];
        for (int c = 0; c < k; c++)
        {
            double sum = 0;
            for (int i = 0; i < h * w; i++) sum += grad[c * h * w + i];
            alpha[c] = sum / (h * w);
        }
        Weights = alpha;
        var cam = new double[h * w];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < h * w; i++) cam[i] += alpha[c] * act[c * h * w + i];
        double max = 0;
        for (int i = 0; i < cam.Length; i++) { cam[i] = Math.Max(cam[i], 0); max = Math.Max(max, cam[i]); }
        // An all-zero map (no positive evidence) stays zero rather than dividing by zero.
        if (max > 0) for (int i = 0; i < cam.Length; i++) cam[i] /= max;
        return Tensor.FromArray(cam, [h, w]).To(DType.Float32);
    }

    private static Tensor RunLayers(Sequential model, Tensor x, int from, int to)
    {
        for (int i = from; i < to; i++) x = model.Layers[i].Forward(x);
        return x;
    }
}
