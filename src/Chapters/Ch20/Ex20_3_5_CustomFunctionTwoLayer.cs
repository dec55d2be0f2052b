using Engine;

namespace Chapters.Ch20;

/// <summary>20.3.5 — the autograd net with ReLU replaced by the custom Function MyReLU.</summary>
public sealed class Ex20_3_5_CustomFunctionTwoLayer : Exercise
{
    public override string Id => "20.3.5";
    public override string Title => "Custom autograd Function: MyReLU (forward clamps and saves input, backward masks)";
    public override IReadOnlyList<string> OptionNames => ["steps"];

    public override void Run(ExerciseContext ctx)
    {
        int steps = TwoLayerRandom.Steps(ctx);
        var losses = Train(ctx.Device, ctx.Seed, steps);
        TwoLayerRandom.Report(ctx, losses);
        var reference = Ex20_3_4_AutogradTwoLayer.Train(ctx.Device, ctx.Seed, steps);
        int same = losses.Zip(reference).Count(p => p.First == p.Second);
        ctx.Print($"{same} of {steps} losses identical to 20.3.4's");
        ctx.Expect("losses identical to 20.3.4", $"{steps} of {steps}", $"{same} of {steps}");
    }

    /// <summary>Trains 20.3.4's loop with MyReLU in relu's place; returns the loss of every step.</summary>
    internal static double[] Train(Device device, ulong seed, int steps, DType dtype = DType.Float32) =>
        Ex20_3_4_AutogradTwoLayer.Train(device, seed, steps, dtype, h => MyReLU.Apply(h));
}
