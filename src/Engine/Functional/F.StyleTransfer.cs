namespace Engine.Functional;

// Neural style transfer's losses (Chollet, Deep Learning with Python 8.3; the book's chapter 23).
public static partial class F
{
    /// <summary>
    /// Content loss: Σ (combination − baseContent)², the sum of squares between two feature maps of the
    /// same shape (Chollet's <c>K.sum(K.square(combination - base))</c>). Returns a scalar.
    /// </summary>
    public static Tensor ContentLoss(Tensor baseContent, Tensor combination)
    {
        const string op = "ContentLoss";
        CheckSameShape(op, baseContent, combination);
        return (combination - baseContent).Square().Sum();
    }

    /// <summary>
    /// Gram matrix G = F·Fᵀ of a feature map F viewed as [C, L] (L = H·W): G[m, n] = Σ_k F[m, k]·F[n, k],
    /// the inner products of the flattened channels. [C, L] → [C, C]; batched [N, C, L] or
    /// [N, C, H, W] → [N, C, C]. One (batched) GEMM with the transpose flag, no copy of Fᵀ. Backward: F appears
    /// twice, so dF = dG·F + dGᵀ·F = (dG + dGᵀ)·F, one GEMM.
    /// </summary>
    public static Tensor Gram(Tensor featureMap)
    {
        const string op = "Gram";
        featureMap.CheckFloat(op);
        var s = featureMap.Shape;
        if (s.Length is not (2 or 3 or 4))
            throw new ArgumentException($"{op}: expected a feature map [C, H·W], [N, C, H·W] or [N, C, H, W], got shape {Tensor.ShapeString(s)}.");
        Tensor f, g;
        using (Autograd.Disable())
        {
            f = s.Length == 4 ? featureMap.Reshape(s[0], s[1], s[2] * s[3]) : featureMap;
            g = f.MatMul(f, transB: true);
        }
        return Autograd.Record(g, op, [featureMap], dg =>
        {
            using var dgT = dg.Transpose(-2, -1);
            using var sym = dg + dgT;
            var df = sym.MatMul(f);
            return [s.Length == 4 ? df.Reshape(s) : df];
        });
    }

    /// <summary>
    /// Style loss as the book's code writes it: Σ (Gram(style) − Gram(combination))² / (4·channels²·size²)
    /// with the constants channels = 3 and size = imageHeight·imageWidth of the generated image, the same
    /// for every layer (Chollet 8.3). Feature maps [C, H·W], [N, C, H·W] or [N, C, H, W] of equal shapes.
    /// </summary>
    public static Tensor StyleLoss(Tensor style, Tensor combination, int imageHeight, int imageWidth, int channels = 3)
    {
        if (imageHeight <= 0 || imageWidth <= 0 || channels <= 0)
            throw new ArgumentException($"StyleLoss: channels and the image size must be positive, got channels {channels}, {imageHeight}×{imageWidth}.");
        return StyleLossScaled(style, combination, channels, (double)imageHeight * imageWidth);
    }

    /// <summary>
    /// Style loss in its per-layer form: Σ (Gram(style) − Gram(combination))² / (4·C²·(H·W)²) with C and
    /// H·W of the feature maps themselves (Gatys et al.'s E_l), feature maps [C, H·W], [N, C, H·W] or [N, C, H, W].
    /// </summary>
    public static Tensor StyleLossPerLayer(Tensor style, Tensor combination)
    {
        var s = style.Shape;
        int c = s.Length == 2 ? s[0] : s.Length >= 3 ? s[1] : 0;
        double size = s.Length switch { 2 => s[1], 3 => s[2], 4 => (double)s[2] * s[3], _ => 0 };
        return StyleLossScaled(style, combination, c, size);
    }

    private static Tensor StyleLossScaled(Tensor style, Tensor combination, double channels, double size)
    {
        const string op = "StyleLoss";
        CheckSameShape(op, style, combination);
        var d = Gram(style) - Gram(combination);
        return d.Square().Sum() * (1.0 / (4.0 * channels * channels * size * size));
    }

    /// <summary>
    /// Total variation loss (Chollet's form) of images x [N, C, H, W] (or one image [C, H, W]):
    /// Σ (a + b)^1.25 with a = (x[…, :H−1, :W−1] − x[…, 1:, :W−1])² and b = (x[…, :H−1, :W−1] − x[…, :H−1, 1:])²,
    /// summed over the batch, channels and pixels. Runs the op-table pair TotalVariation / TotalVariationBackward.
    /// </summary>
    public static Tensor TotalVariationLoss(Tensor x)
    {
        const string op = "TotalVariationLoss";
        x.CheckFloat(op);
        if (x.Rank == 3)
        {
            return TotalVariationLoss(x.Reshape(1, x.Dim(0), x.Dim(1), x.Dim(2)));
        }
        CheckImage(op, x);
        var perImage = Alloc(x, [x.Dim(0)]);
        x.Backend.TotalVariation(x, perImage);
        var recorded = Autograd.Record(perImage, op, [x], g =>
        {
            var dx = Empty(g, x.Shape);
            g.Backend.TotalVariationBackward(x, g, dx);
            return [dx];
        });
        return recorded.Sum();
    }
}
