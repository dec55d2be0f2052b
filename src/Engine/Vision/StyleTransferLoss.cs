using Engine.Functional;

namespace Engine.Vision;

/// <summary>
/// The loss of neural style transfer as Chollet's notebook builds it (Deep Learning with Python 8.3):
/// total = contentWeight · ContentLoss(content features, combination features) at one deep layer
///       + Σ over the style layers of (styleWeight / #layers) · StyleLoss(style features, combination features)
///       + tvWeight · TotalVariationLoss(combination image),
/// as a function of the combination image's pixels, for an optimiser such as <see cref="Optim.Lbfgs"/>.
/// The features of the content and style images are computed once; each evaluation runs the backbone
/// forward and backward on the combination image only.
/// </summary>
public sealed class StyleTransferLoss : IDisposable
{
    private readonly Func<Tensor, IReadOnlyDictionary<string, Tensor>> _features;
    private readonly Tensor _contentFeature;
    private readonly Tensor[] _styleFeatures;
    private readonly int[] _shape;
    private readonly DType _dtype;
    private readonly Device _device;

    /// <summary>
    /// <paramref name="features"/> maps an image [1, 3, H, W] to the named layer outputs (it must include
    /// <paramref name="contentLayer"/> and every style layer); <paramref name="content"/> and <paramref name="style"/>
    /// are preprocessed images of the same shape. The style loss uses the book's constants (channels 3,
    /// size H·W of the image) unless <paramref name="perLayerStyleNorm"/> asks for each layer's own C and H·W.
    /// </summary>
    public StyleTransferLoss(Func<Tensor, IReadOnlyDictionary<string, Tensor>> features, string contentLayer, IReadOnlyList<string> styleLayers,
        Tensor content, Tensor style, double contentWeight = 0.025, double styleWeight = 1.0, double tvWeight = 1e-4, bool perLayerStyleNorm = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (styleLayers.Count == 0) throw new ArgumentException("StyleTransferLoss: give at least one style layer.");
        if (content.Rank != 4 || content.Dim(0) != 1 || !content.Shape.AsSpan().SequenceEqual(style.Shape))
            throw new ArgumentException($"StyleTransferLoss: content and style must be single images [1, C, H, W] of the same shape, got {Tensor.ShapeString(content.Shape)} and {Tensor.ShapeString(style.Shape)}.");
        _features = features;
        ContentLayer = contentLayer;
        StyleLayers = styleLayers.ToArray();
        (ContentWeight, StyleWeight, TvWeight, PerLayerStyleNorm) = (contentWeight, styleWeight, tvWeight, perLayerStyleNorm);
        (_shape, _dtype, _device) = (content.Shape, content.DType, content.Device);
        using (Tensor.NoGrad())
        {
            var c = features(content);
            _contentFeature = Keep(c, contentLayer);
            var s = features(style);
            _styleFeatures = StyleLayers.Select(l => Keep(s, l)).ToArray();
        }
    }

    /// <summary>The layer whose features carry the content.</summary>
    public string ContentLayer { get; }

    /// <summary>The layers whose Gram matrices carry the style.</summary>
    public IReadOnlyList<string> StyleLayers { get; }

    /// <summary>Weights of the three parts (Chollet: 0.025, 1, 1e-4).</summary>
    public double ContentWeight { get; }

    /// <inheritdoc cref="ContentWeight"/>
    public double StyleWeight { get; }

    /// <inheritdoc cref="ContentWeight"/>
    public double TvWeight { get; }

    /// <summary>True: style loss normalised by each layer's C and H·W; false: the book's constants 3 and H·W of the image.</summary>
    public bool PerLayerStyleNorm { get; }

    /// <summary>Evaluations so far.</summary>
    public int Evaluations { get; private set; }

    /// <summary>The weighted parts (content, style, total variation) of the last evaluation.</summary>
    public (double Content, double Style, double Tv) LastParts { get; private set; }

    /// <summary>
    /// The total loss of <paramref name="combination"/> [1, C, H, W] as a scalar tensor in the autograd graph,
    /// with its weighted parts.
    /// </summary>
    public (Tensor Total, Tensor Content, Tensor Style, Tensor Tv) Loss(Tensor combination)
    {
        var f = _features(combination);
        var content = F.ContentLoss(_contentFeature, Get(f, ContentLayer)) * ContentWeight;
        Tensor? style = null;
        for (int l = 0; l < StyleLayers.Count; l++)
        {
            var c = Get(f, StyleLayers[l]);
            var sl = PerLayerStyleNorm ? F.StyleLossPerLayer(_styleFeatures[l], c) : F.StyleLoss(_styleFeatures[l], c, _shape[2], _shape[3]);
            var weighted = sl * (StyleWeight / StyleLayers.Count);
            style = style is null ? weighted : style + weighted;
        }
        var tv = F.TotalVariationLoss(combination) * TvWeight;
        return (content + style! + tv, content, style!, tv);
    }

    /// <summary>
    /// f(x) and ∇f(x) for the flat pixels x of the combination image (what scipy's fmin_l_bfgs_b is given):
    /// one forward and one backward through the backbone to the pixels.
    /// </summary>
    public (double Value, double[] Gradient) LossAndGradient(double[] x)
    {
        if (x.Length != Tensor.SizeOf(_shape))
            throw new ArgumentException($"StyleTransferLoss: expected {Tensor.SizeOf(_shape)} pixels for an image {Tensor.ShapeString(_shape)}, got {x.Length}.");
        using var scope = Tensor.Scope();
        var image = Tensor.FromDoubles(x, _shape, _dtype, _device, requiresGrad: true);
        var (total, content, style, tv) = Loss(image);
        total.Backward();
        var grad = image.Grad!;
        var g = grad.ToDoubleArray();
        grad.Dispose();
        Evaluations++;
        LastParts = (content.Item(), style.Item(), tv.Item());
        return (total.Item(), g);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _contentFeature.Dispose();
        foreach (var t in _styleFeatures) t.Dispose();
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> f, string name) =>
        f.TryGetValue(name, out var t) ? t : throw new ArgumentException($"StyleTransferLoss: the backbone gave no layer '{name}' (it gave {string.Join(", ", f.Keys)}).");

    private static Tensor Keep(IReadOnlyDictionary<string, Tensor> f, string name)
    {
        var t = Get(f, name).Detach();
        t.Persistent = true;
        return t;
    }
}
