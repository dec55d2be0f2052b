using Engine;

namespace Chapters.Ch20;

/// <summary>
/// 20.3.6 — the TensorFlow 1.x comparison: build the graph once (placeholders x, y; variables w1, w2;
/// the forward, the gradients and the updates, traced from one eager step), then run it 500 times,
/// feeding x and y each time.
/// </summary>
public sealed class Ex20_3_6_StaticGraphTwoLayer : Exercise
{
    public override string Id => "20.3.6";
    public override string Title => "Static graph: trace one step into placeholders, variables and ops; replay with new feeds";
    public override IReadOnlyList<string> OptionNames => ["steps"];

    public override void Run(ExerciseContext ctx)
    {
        int steps = TwoLayerRandom.Steps(ctx);
        var losses = Train(ctx.Device, ctx.Seed, steps, out string summary);
        ctx.Print("graph: " + summary);
        TwoLayerRandom.Report(ctx, losses);
        var reference = Ex20_3_4_AutogradTwoLayer.Train(ctx.Device, ctx.Seed, steps);
        int same = losses.Zip(reference).Count(p => p.First == p.Second);
        ctx.Print($"{same} of {steps} losses identical to 20.3.4's");
        ctx.Expect("losses identical to 20.3.4", $"{steps} of {steps}", $"{same} of {steps}");
    }

    /// <summary>Builds the graph, runs it <paramref name="steps"/> times; returns every loss.</summary>
    internal static double[] Train(Device device, ulong seed, int steps, out string summary, DType dtype = DType.Float32)
    {
        var (xValue, yValue, w1Init, w2Init) = TwoLayerRandom.Data(seed, device, dtype);
        using var graph = new StaticGraph(device);
        var x = graph.Placeholder("x", [TwoLayerRandom.N, TwoLayerRandom.DIn], dtype);
        var y = graph.Placeholder("y", [TwoLayerRandom.N, TwoLayerRandom.DOut], dtype);
        var w1 = graph.Variable("w1", w1Init);
        var w2 = graph.Variable("w2", w2Init);
        graph.Trace(() => Ex20_3_4_AutogradTwoLayer.Step(x, y, w1, w2));
        summary = graph.Summary();
        var losses = new double[steps];
        for (int t = 0; t < steps; t++)
            losses[t] = graph.Run(("x", xValue), ("y", yValue))[0].Item();
        foreach (var t in new[] { xValue, yValue, w1Init, w2Init }) t.Dispose();
        return losses;
    }
}
