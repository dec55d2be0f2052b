using Engine;
using Engine.Nn;

namespace Chapters.Ch20;

/// <summary>
/// 20.3.7 — the net as nn.Sequential(Linear(1000,100), ReLU, Linear(100,10)) with MSELoss(sum) and a
/// hand-written update of every parameter (lr 1e-4) under NoGrad.
/// </summary>
public sealed class Ex20_3_7_NnTwoLayer : Exercise
{
    public override string Id => "20.3.7";
    public override string Title => "nn: Sequential(Linear, ReLU, Linear), MSELoss(sum), manual update lr 1e-4";
    public override IReadOnlyList<string> OptionNames => ["steps"];

    public override void Run(ExerciseContext ctx)
    {
        int steps = TwoLayerRandom.Steps(ctx);
        var losses = Train(ctx.Device, ctx.Seed, steps, out string model);
        ctx.Print(model);
        ReportFall(ctx, losses);
    }

    /// <summary>Prints every 100th loss and checks the ≥ 100× fall of 20.3.7/20.3.8.</summary>
    internal static void ReportFall(ExerciseContext ctx, double[] losses)
    {
        for (int t = 99; t < losses.Length; t += 100) ctx.Print($"{t} {TwoLayerRandom.Fmt(losses[t])}");
        double fall = losses[0] / losses[^1];
        ctx.Print($"first loss {TwoLayerRandom.Fmt(losses[0])}, last loss {TwoLayerRandom.Fmt(losses[^1])}, fell {TwoLayerRandom.Fmt(fall)}x in {losses.Length} steps");
        ctx.Expect("loss falls ≥ 100x", "≥ 100x", TwoLayerRandom.Fmt(fall) + "x", fall >= 100);
    }

    /// <summary>x, y ~ randn and the model's init, all from one seeded generator.</summary>
    internal static (Tensor X, Tensor Y, Sequential Model) Setup(Device device, ulong seed)
    {
        var g = new Generator(seed);
        var x = Tensor.Randn([TwoLayerRandom.N, TwoLayerRandom.DIn], device: device, generator: g);
        var y = Tensor.Randn([TwoLayerRandom.N, TwoLayerRandom.DOut], device: device, generator: g);
        var model = new Sequential(
            new Linear(TwoLayerRandom.DIn, TwoLayerRandom.H, generator: g),
            new ReLU(),
            new Linear(TwoLayerRandom.H, TwoLayerRandom.DOut, generator: g));
        model.To(device);
        return (x, y, model);
    }

    internal static double[] Train(Device device, ulong seed, int steps, out string model)
    {
        var (x, y, net) = Setup(device, seed);
        model = net.ToString();
        var lossFn = new MSELoss(reduction: "sum");
        const double learningRate = 1e-4;
        var losses = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            using var scope = Tensor.Scope();
            var loss = lossFn.Forward(net.Forward(x), y);
            losses[t] = loss.Item();
            net.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (var p in net.Parameters()) p.SubInPlace(p.Grad! * learningRate);
        }
        x.Dispose();
        y.Dispose();
        return losses;
    }
}
