using Engine;

namespace Chapters.Ch21;

/// <summary>21.4.3 — variables: Variable(tensor) holds a value that Assign replaces (tensors themselves never change).</summary>
public sealed class Ex21_4_3_Variables : Exercise
{
    public override string Id => "21.4.3";
    public override string Title => "Variables: Variable(zeros([5])), Assign([4, 3, 5, 6, 7])";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        var initial = Tensor.Zeros([5], device: ctx.Device);
        using var v = new Variable(initial, name: "bias");
        ctx.Print($"initial value: {TensorText.Of(v.Value)}");
        ctx.Expect("initial value", "[0, 0, 0, 0, 0]", TensorText.Of(v.Value));
        var updated = Tensor.FromArray(new float[] { 4, 3, 5, 6, 7 }, device: ctx.Device);
        v.Assign(updated);
        ctx.Print($"after Assign: {TensorText.Of(v.Value)}");
        ctx.Expect("value after Assign", "[4, 3, 5, 6, 7]", TensorText.Of(v.Value));
        ctx.Expect("the tensor the variable started from is unchanged", "[0, 0, 0, 0, 0]", TensorText.Of(initial));
    }
}
