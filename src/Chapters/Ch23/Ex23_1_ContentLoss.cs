using Chapters.Ch24;
using Engine;
using Engine.Functional;

namespace Chapters.Ch23;

/// <summary>
/// 23.1 — the content loss: the sum of squares between the feature maps of the content image and of the
/// generated image at one deep layer (Chollet's <c>K.sum(K.square(combination - base))</c>), on fixed tensors,
/// with its gradient 2·(combination − base) from autograd.
/// </summary>
public sealed class Ex23_1_ContentLoss : Exercise
{
    public override string Id => "23.1";
    public override string Title => "Content loss: sum of squares between two feature maps, and its gradient";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        // Feature maps [C=2, H·W=4] (2×2 pixels) of the content image (base) and of the generated image.
        var baseMap = Tensor.FromArray(new double[] { 1, 2, 3, 4, 0.5, -1, 0, 2 }, [2, 4]);
        var combination = Tensor.FromArray(new double[] { 1.5, 2, 2, 5, 0.5, 0, 0, 1 }, [2, 4]);
        combination.RequiresGrad = true;
        ctx.Print("base (content image features) =\n" + NumPyFormat.Array(baseMap));
        ctx.Print("combination (generated image features) =\n" + NumPyFormat.Array(combination));
        var loss = F.ContentLoss(baseMap, combination);
        ctx.Print($"content_loss = sum((combination - base)**2) = {loss.Item():R}");
        loss.Backward();
        string grad = NumPyFormat.Array(combination.Grad!);
        ctx.Print("d content_loss / d combination = 2·(combination − base) =\n" + grad);

        // 0.5² + 0 + 1² + 1² + 0 + 1² + 0 + 1² = 4.25
        ctx.Expect("content loss", "4.25", loss.Item().ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        ctx.Expect("gradient", "[[ 1.  0. -2.  2.] [ 0.  2.  0. -2.]]", NumPyFormat.OneLine(grad));
    }
}
