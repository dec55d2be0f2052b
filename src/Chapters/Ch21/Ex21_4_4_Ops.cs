using Engine;

namespace Chapters.Ch21;

/// <summary>21.4.4 — ops: square, add, sub, mul, each returning a new tensor.</summary>
public sealed class Ex21_4_4_Ops : Exercise
{
    public override string Id => "21.4.4";
    public override string Title => "Ops: square, add, sub, mul return new tensors";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        var d = ctx.Device;
        var a = Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } }, d);
        var sq = a.Square();
        ctx.Print($"[[1, 2], [3, 4]].square() = {TensorText.Of(sq)}");
        ctx.Expect("square", "[[1, 4], [9, 16]]", TensorText.Of(sq));
        var b = Tensor.From(new float[,] { { 5, 6 }, { 7, 8 } }, d);
        ctx.Print($"add {TensorText.Of(a + b)}, sub {TensorText.Of(b - a)}, mul {TensorText.Of(a * b)}");
        ctx.Expect("add", "[[6, 8], [10, 12]]", TensorText.Of(a + b));
        ctx.Expect("sub", "[[4, 4], [4, 4]]", TensorText.Of(b - a));
        ctx.Expect("mul", "[[5, 12], [21, 32]]", TensorText.Of(a * b));
        var twice = Tensor.FromArray(new float[] { 1, 2, 3 }, device: d).Square().Square();
        ctx.Print($"[1, 2, 3] squared twice = {TensorText.Of(twice)}");
        ctx.Expect("[1, 2, 3] squared twice", "[1, 16, 81]", TensorText.Of(twice));
    }
}
