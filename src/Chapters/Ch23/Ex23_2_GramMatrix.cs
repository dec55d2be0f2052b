using System.Globalization;
using Chapters.Ch24;
using Engine;
using Engine.Functional;

namespace Chapters.Ch23;

/// <summary>
/// 23.2 — the style loss through Gram matrices: G = F·Fᵀ of the [C, H·W] feature map. The book's remarks,
/// shown: shuffling the pixels (the same permutation in every channel) leaves G unchanged, G is C×C
/// whatever H and W, and the style loss Σ(S − C)²/(4·channels²·size²) with the book's constants.
/// </summary>
public sealed class Ex23_2_GramMatrix : Exercise
{
    public override string Id => "23.2";
    public override string Title => "Gram matrices: C×C, blind to pixel order; the style loss";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        // One feature map [C=2, H=2, W=3] flattened to [C, H·W] = [2, 6].
        var f = Tensor.FromArray(new double[] { 1, 2, 0, -1, 3, 1, 2, 0, 1, 1, -2, 4 }, [2, 6]);
        var g = F.Gram(f);
        string gText = NumPyFormat.Array(g);
        ctx.Print("F [C, H·W] =\n" + NumPyFormat.Array(f));
        ctx.Print("gram = F · Fᵀ =\n" + gText);

        // The same pixels in another order: column k of the shuffled map is column perm[k] of F.
        int[] perm = [4, 0, 5, 2, 1, 3];
        var v = f.ToDoubleArray();
        var shuffled = new double[v.Length];
        for (int c = 0; c < 2; c++)
            for (int k = 0; k < 6; k++) shuffled[c * 6 + k] = v[c * 6 + perm[k]];
        var fs = Tensor.FromArray(shuffled, [2, 6]);
        string gsText = NumPyFormat.Array(F.Gram(fs));
        ctx.Print($"pixels shuffled by [{string.Join(", ", perm)}]: gram =\n" + gsText);

        var gen = ctx.NewGenerator();
        var shapes = new List<string>();
        foreach (var (h, w) in new[] { (4, 4), (25, 30), (100, 150) })
        {
            var map = Tensor.Randn([1, 64, h, w], generator: gen);
            string s = Tensor.ShapeString(F.Gram(map).Shape);
            shapes.Add(s);
            ctx.Print($"feature map [1, 64, {h}, {w}] → gram {s}");
        }

        // The book's style loss on two [1, 2, 2, 3] maps of a 2×3 generated image (channels = 3, size = 6).
        var style = f.Reshape(1, 2, 2, 3);
        var combination = Tensor.FromArray(new double[] { 1, 1, 0, -1, 2, 1, 2, 1, 1, 0, -2, 3 }, [1, 2, 2, 3]);
        double loss = F.StyleLoss(style, combination, imageHeight: 2, imageWidth: 3).Item();
        ctx.Print($"style_loss = sum((gram(S) - gram(C))**2) / (4 · 3² · (2·3)²) = {loss.ToString("R", CultureInfo.InvariantCulture)}");

        ctx.Expect("gram", "[[16. -1.] [-1. 26.]]", NumPyFormat.OneLine(gText));
        ctx.Expect("gram of the shuffled pixels", NumPyFormat.OneLine(gText), NumPyFormat.OneLine(gsText));
        ctx.Expect("gram shape for H×W 4×4, 25×30, 100×150", "[1, 64, 64] ×3", shapes.Distinct().Count() == 1 ? shapes[0] + " ×3" : string.Join(" ", shapes));
        // gram(C) = [[8, 2], [2, 19]]: Σ(S − C)² = 8² + (−3)² + (−3)² + 7² = 131; 131 / (4·9·36) = 131/1296.
        ctx.Expect("style loss", (131.0 / 1296).ToString("R", CultureInfo.InvariantCulture), loss.ToString("R", CultureInfo.InvariantCulture),
            Math.Abs(loss - 131.0 / 1296) <= 1e-15);
    }
}
