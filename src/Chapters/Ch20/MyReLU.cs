using Engine;

namespace Chapters.Ch20;

/// <summary>
/// The tutorial's custom autograd Function: forward clamps at 0 and saves its input; backward passes
/// the gradient where the input was positive.
/// </summary>
public sealed class MyReLU : Function<MyReLU>
{
    public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
    {
        var input = inputs[0];
        ctx.SaveForBackward(input);
        return input.Clamp(min: 0);
    }

    public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
    {
        var input = ctx.SavedTensors[0];
        using var mask = input.Greater(0);     // grad_input[input < 0] = 0
        return [gradOutput * mask];
    }
}
