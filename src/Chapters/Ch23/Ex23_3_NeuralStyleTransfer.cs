using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Data;
using Engine.Optim;
using Engine.Vision;

namespace Chapters.Ch23;

/// <summary>
/// 23.3 — neural style transfer as Chollet's notebook does it: the pixels of the generated image are the
/// variables, the loss is content weight·content + Σ (style weight/5)·style(layer) + tv weight·total variation, and L-BFGS (20 calls of
/// at most 20 evaluations, each from the previous result) minimises it. Backbone: the ImageNet ResNet18 of the
/// NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18, or with --backbone vgg19 --weights &lt;file.h5&gt; the book's
/// Keras VGG19 (<see cref="Vgg19StyleBackbone"/>). Options: --height (400; --quick 48),
/// --iterations (20; --quick 3), --maxfun 20, --content-weight, --style-weight, --tv-weight (defaults per backbone:
/// <see cref="DefaultWeights"/>), --style-norm book|layer,
/// --content / --style (names under data/images, or paths).
/// </summary>
public sealed class Ex23_3_NeuralStyleTransfer : Exercise
{
    public override string Id => "23.3";
    public override IReadOnlyList<string> OptionNames => ["height", "iterations", "maxfun", "content-weight", "style-weight", "tv-weight", "backbone", "weights", "style-norm", "content", "style"];
    public override string Title => "Neural style transfer: ResNet18 or VGG19 features, Gram-matrix style loss, L-BFGS";

    /// <summary>The content photograph and the style print (data/images, fetched by `make data`).</summary>
    public const string DefaultContent = "black-canyon", DefaultStyle = "march-pastoral";

    public override void Run(ExerciseContext ctx)
    {
        string backbone = ctx.Options.GetValueOrDefault("backbone", "resnet18");
        string? weights = ctx.Options.GetValueOrDefault("weights");
        if (backbone is not ("resnet18" or "vgg19"))
            throw new ArgumentException($"23.3: --backbone must be resnet18 or vgg19, got '{backbone}'.");
        if (backbone == "vgg19" && weights is null)
            throw new ArgumentException("23.3: --backbone vgg19 needs --weights <vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5> (Keras's VGG19 weights without the top).");
        if (backbone == "resnet18" && weights is not null)
            throw new ArgumentException("23.3: --weights is for --backbone vgg19; the resnet18 backbone loads its NuGet package.");
        int height = ctx.Int("height", ctx.Quick ? 48 : 400);
        int iterations = ctx.Int("iterations", ctx.Quick ? 3 : 20);
        int maxfun = ctx.Int("maxfun", 20);
        bool perLayer = ctx.Options.GetValueOrDefault("style-norm", "book") switch
        {
            "book" => false,
            "layer" => true,
            var s => throw new ArgumentException($"23.3: --style-norm must be book or layer, got '{s}'."),
        };
        string contentPath = ImagePath(ctx.Options.GetValueOrDefault("content", DefaultContent));
        string stylePath = ImagePath(ctx.Options.GetValueOrDefault("style", DefaultStyle));

        var (contentRgb, h, w) = backbone == "vgg19"
            ? StyleImages.Load(contentPath, height)
            : StyleImages.Load(contentPath, ResNet18StyleBackbone.FitSize(height), fitWidth: ResNet18StyleBackbone.FitSize);
        var (styleRgb, _, _) = StyleImages.Load(stylePath, h, w);
        var (defaultContent, defaultStyle, defaultTv) = DefaultWeights(backbone, h, w);
        double contentWeight = ctx.Double("content-weight", defaultContent), styleWeight = ctx.Double("style-weight", defaultStyle),
            tvWeight = ctx.Double("tv-weight", defaultTv);
        var net = backbone == "vgg19" ? Backbone.Vgg19(weights!, h, w, ctx.Device) : Backbone.ResNet18(ctx.Device);
        ctx.Print($"content {Path.GetFileName(contentPath)}, style {Path.GetFileName(stylePath)}, resized to {h}×{w}; backbone {net.Name}, device {ctx.Device}");
        ctx.Print($"content layer {net.ContentLayer}; style layers {string.Join(", ", net.StyleLayers)}");
        ctx.Print($"weights: content {contentWeight.ToString(CultureInfo.InvariantCulture)}, style {styleWeight.ToString(CultureInfo.InvariantCulture)}, tv {tvWeight.ToString(CultureInfo.InvariantCulture)}; style normalisation {(perLayer ? "per layer" : "book (channels 3, size H·W)")}; {iterations} iterations of L-BFGS, maxfun {maxfun}");

        int[] shape = [1, 3, h, w];
        var x = net.Preprocess(contentRgb, h, w);
        using var content = Tensor.FromDoubles(x, shape, DType.Float32, ctx.Device);
        using var style = Tensor.FromDoubles(net.Preprocess(styleRgb, h, w), shape, DType.Float32, ctx.Device);
        string[] layers = [net.ContentLayer, .. net.StyleLayers];
        using var loss = new StyleTransferLoss(img => net.Features(img, layers), net.ContentLayer, net.StyleLayers,
            content, style, contentWeight, styleWeight, tvWeight, perLayer);

        var losses = Run(ctx, loss, x, iterations, maxfun, (i, xi) =>
            StyleImages.SavePng(net.Deprocess(xi, h, w), h, w, ctx.OutFile($"iteration_{i:D2}.png")), out var result);
        var final = net.Deprocess(result, h, w);
        string sideBySide = ctx.OutFile("content_style_result.png");
        StyleImages.SavePng([StyleImages.ToBytes(contentRgb), StyleImages.ToBytes(styleRgb), final], h, w, sideBySide);
        ctx.Print($"wrote {ctx.OutDir}/iteration_00.png … iteration_{iterations - 1:D2}.png and {sideBySide} (content, style, result)");

        bool falls = losses.Zip(losses.Skip(1)).All(p => p.Second < p.First);
        ctx.Expect("loss falls every iteration", "yes", falls ? "yes" : "no: " + string.Join(", ", losses.Select(v => v.ToString("E4", CultureInfo.InvariantCulture))));
    }

    /// <summary>The book's weights (Chollet's notebook, tuned for VGG19): content 0.025, style 1, total variation 1e-4.</summary>
    public const double BookContentWeight = 0.025, BookStyleWeight = 1, BookTvWeight = 1e-4;

    /// <summary>
    /// Default weights of each backbone for an h×w image: VGG19 the book's; ResNet18 content 0.025, style 4·h·w
    /// (≈ 1e6 at 416×576) and total variation 1e-6. With the book's weights ResNet18's batch-normalised features give
    /// a style term (0.34 at 416×576) below 1e-3 of the content and total-variation terms, so the result is the photo smoothed. The
    /// content and total-variation sums grow with h·w while the book's style loss (÷ (h·w)²) does not, so a style
    /// weight proportional to h·w keeps the balance at every --height (chosen by eye at 128×160, see docs/ch23.md).
    /// </summary>
    public static (double Content, double Style, double Tv) DefaultWeights(string backbone, int h, int w) =>
        backbone == "vgg19" ? (BookContentWeight, BookStyleWeight, BookTvWeight) : (BookContentWeight, 4.0 * h * w, 1e-6);

    /// <summary>
    /// The notebook's loop: <paramref name="iterations"/> calls of L-BFGS with at most <paramref name="maxfun"/> evaluations,
    /// each from the previous result; prints each iteration's loss, its three parts and the time, with a progress bar.
    /// Returns the loss after each iteration.
    /// </summary>
    public static List<double> Run(ExerciseContext ctx, StyleTransferLoss loss, double[] x, int iterations, int maxfun,
        Action<int, double[]>? afterIteration, out double[] result)
    {
        var losses = new List<double>();
        var bar = new EvaluationBar(ctx.Out, maxfun);
        for (int i = 0; i < iterations; i++)
        {
            ctx.Print($"Start of iteration {i}");
            var watch = Stopwatch.StartNew();
            bar.Start();
            // The parts of the best point evaluated, which is the point L-BFGS returns.
            var (best, parts) = (double.PositiveInfinity, (Content: 0.0, Style: 0.0, Tv: 0.0));
            var r = Lbfgs.Minimize(v =>
            {
                var fg = loss.LossAndGradient(v);
                if (fg.Value < best) (best, parts) = (fg.Value, loss.LastParts);
                bar.Step(fg.Value);
                return fg;
            }, x, maxfun: maxfun);
            bar.Finish();
            x = r.X;
            losses.Add(r.F);
            var (c, s, t) = parts;
            ctx.Print(string.Create(CultureInfo.InvariantCulture,
                $"Current loss value: {r.F:E6}  (content {c:E4}, style {s:E4}, tv {t:E4}; {r.FunctionEvaluations} evaluations)"));
            afterIteration?.Invoke(i, x);
            ctx.Print($"Iteration {i} completed in {watch.Elapsed.TotalSeconds:F1}s");
        }
        result = x;
        return losses;
    }

    /// <summary>A name under data/images (without .jpg), or a path to an image file.</summary>
    private static string ImagePath(string nameOrPath) =>
        File.Exists(nameOrPath) ? nameOrPath : DataFolder.GetFile(Path.Combine("images", nameOrPath + ".jpg"), null, "23.3 image " + nameOrPath);
}
