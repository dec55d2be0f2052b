using Engine;
using Engine.Nn;
using Engine.Optim;

namespace Chapters.Ch20;

/// <summary>20.3.8 — the nn model of 20.3.7 trained with optim.Adam (lr 1e-4): ZeroGrad, Backward, Step.</summary>
public sealed class Ex20_3_8_AdamTwoLayer : Exercise
{
    public override string Id => "20.3.8";
    public override string Title => "optim: the same model with Adam lr 1e-4 (ZeroGrad, Backward, Step)";
    public override IReadOnlyList<string> OptionNames => ["steps"];

    public override void Run(ExerciseContext ctx)
    {
        // Adam's per-weight steps are at most lr = 1e-4, so it needs longer than plain SGD: 200 steps in quick mode.
        int steps = ctx.Int("steps", ctx.Quick ? 200 : 500);
        var losses = Train(ctx.Device, ctx.Seed, steps);
        Ex20_3_7_NnTwoLayer.ReportFall(ctx, losses);
    }

    internal static double[] Train(Device device, ulong seed, int steps)
    {
        var (x, y, model) = Ex20_3_7_NnTwoLayer.Setup(device, seed);
        var lossFn = new MSELoss(reduction: "sum");
        var optimizer = new Adam(model.Parameters(), lr: 1e-4);
        var losses = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            using var scope = Tensor.Scope();
            var loss = lossFn.Forward(model.Forward(x), y);
            losses[t] = loss.Item();
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        x.Dispose();
        y.Dispose();
        return losses;
    }
}
