using Engine;

namespace Chapters.Ch20;

/// <summary>20.3.3 — the two-layer net with engine tensors on any device, backward written by hand.</summary>
public sealed class Ex20_3_3_ManualBackwardTensors : Exercise
{
    public override string Id => "20.3.3";
    public override string Title => "Tensors: two-layer net with a hand-written backward (--device cpu|cuda)";
    public override IReadOnlyList<string> OptionNames => ["steps"];

    public override void Run(ExerciseContext ctx)
    {
        int steps = TwoLayerRandom.Steps(ctx);
        var losses = Train(ctx.Device, ctx.Seed, steps);
        TwoLayerRandom.Report(ctx, losses);
        TwoLayerRandom.CompareWithCpu(ctx, losses, d => Train(d, ctx.Seed, steps));
    }

    /// <summary>One forward and hand-written backward: loss and dLoss/dw1, dLoss/dw2 (caller disposes).</summary>
    internal static (Tensor Loss, Tensor GradW1, Tensor GradW2) Gradients(Tensor x, Tensor y, Tensor w1, Tensor w2)
    {
        using var scope = Tensor.Scope();
        var h = x.MatMul(w1);                            // [N, H]
        var hRelu = h.Relu();
        var yPred = hRelu.MatMul(w2);                    // [N, D_out]
        var diff = yPred - y;
        var loss = diff.Square().Sum();
        var gradYPred = diff * 2.0;                      // dL/dŷ = 2(ŷ − y)
        var gradW2 = hRelu.MatMul(gradYPred, transA: true);   // h_reluᵀ · dŷ
        var gradHRelu = gradYPred.MatMul(w2, transB: true);   // dŷ · w2ᵀ
        var gradH = gradHRelu * h.Greater(0);            // ReLU passes where h > 0
        var gradW1 = x.MatMul(gradH, transA: true);      // xᵀ · dh
        return (scope.Keep(loss), scope.Keep(gradW1), scope.Keep(gradW2));
    }

    /// <summary>Trains for <paramref name="steps"/> steps; returns the loss of every step.</summary>
    internal static double[] Train(Device device, ulong seed, int steps, DType dtype = DType.Float32)
    {
        var (x, y, w1, w2) = TwoLayerRandom.Data(seed, device, dtype);
        var losses = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            using var scope = Tensor.Scope();
            var (loss, gw1, gw2) = Gradients(x, y, w1, w2);
            losses[t] = loss.Item();
            w1.SubInPlace(gw1 * TwoLayerRandom.LearningRate);
            w2.SubInPlace(gw2 * TwoLayerRandom.LearningRate);
        }
        foreach (var t in new[] { x, y, w1, w2 }) t.Dispose();
        return losses;
    }
}
