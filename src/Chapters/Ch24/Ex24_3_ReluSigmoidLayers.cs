using Engine;
using Engine.Scratch;

namespace Chapters.Ch24;

/// <summary>24.3 — the Relu and Sigmoid layers (DLfS 5.5): forward, the Relu mask, backward with dout = 1.</summary>
public sealed class Ex24_3_ReluSigmoidLayers : Exercise
{
    public override string Id => "24.3";
    public override string Title => "Relu and Sigmoid layers: mask, forward, backward";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        var x = Tensor.From(new double[,] { { 1.0, -0.5 }, { -2.0, 3.0 } });
        ctx.Print("x =\n" + NumPyFormat.Array(x));

        var relu = new Relu();
        var reluOut = relu.Forward(x);
        var mask = relu.Mask!.ToDoubleArray().Select(v => v != 0).ToArray();
        string maskText = NumPyFormat.Bools(mask, x.Shape);
        ctx.Print("Relu mask (x <= 0) =\n" + maskText);
        ctx.Print("Relu forward =\n" + NumPyFormat.Array(reluOut));
        var ones = Tensor.OnesLike(x);
        var reluDx = relu.Backward(ones);
        ctx.Print("Relu backward (dout = 1) =\n" + NumPyFormat.Array(reluDx));

        var sigmoid = new Sigmoid();
        var sigOut = sigmoid.Forward(x);
        string sigText = NumPyFormat.Array(sigOut);
        ctx.Print("Sigmoid forward =\n" + sigText);
        var sigDx = sigmoid.Backward(ones);
        string sigDxText = NumPyFormat.Array(sigDx);
        ctx.Print("Sigmoid backward (dout = 1) =\n" + sigDxText);

        ctx.Expect("Relu mask", "[[False  True] [ True False]]", NumPyFormat.OneLine(maskText));
        ctx.Expect("Relu forward", "[[1. 0.] [0. 3.]]", NumPyFormat.OneLine(NumPyFormat.Array(reluOut)));
        ctx.Expect("Relu backward", "[[1. 0.] [0. 1.]]", NumPyFormat.OneLine(NumPyFormat.Array(reluDx)));
        ctx.Expect("sigmoid", "[[0.73105858 0.37754067] [0.11920292 0.95257413]]", NumPyFormat.OneLine(sigText));
        ctx.Expect("sigmoid backward", "[[0.19661193 0.23500371] [0.10499359 0.04517666]]", NumPyFormat.OneLine(sigDxText));
    }
}
