using Engine;

namespace Chapters.Ch20;

/// <summary>20.3.4 — the same net with autograd: RequiresGrad, Backward(), update under NoGrad, zero the grads.</summary>
public sealed class Ex20_3_4_AutogradTwoLayer : Exercise
{
    public override string Id => "20.3.4";
    public override string Title => "Autograd: RequiresGrad, Backward, update under NoGrad";
    public override IReadOnlyList<string> OptionNames => ["steps"];

    public override void Run(ExerciseContext ctx)
    {
        int steps = TwoLayerRandom.Steps(ctx);
        var losses = Train(ctx.Device, ctx.Seed, steps);
        TwoLayerRandom.Report(ctx, losses);

        // The SPEC check: autograd's gradients equal the hand-written ones of 20.3.3.
        var (x, y, w1, w2) = TwoLayerRandom.Data(ctx.Seed, ctx.Device);
        var (_, m1, m2) = Ex20_3_3_ManualBackwardTensors.Gradients(x, y, w1, w2);
        var (_, a1, a2) = Gradients(x, y, w1, w2);
        double rel = Math.Max(RelativeError(a1, m1), RelativeError(a2, m2));
        ctx.Print($"max relative difference autograd vs manual gradients: {rel:E2}");
        ctx.Expect("grads = 20.3.3 manual grads", "≤ 1e-5 relative", rel.ToString("E2", System.Globalization.CultureInfo.InvariantCulture), rel <= 1e-5);
        foreach (var t in new[] { x, y, w1, w2, m1, m2, a1, a2 }) t.Dispose();
        TwoLayerRandom.CompareWithCpu(ctx, losses, d => Train(d, ctx.Seed, steps));
    }

    /// <summary>max |a − b| / max |b|.</summary>
    internal static double RelativeError(Tensor a, Tensor b)
    {
        var x = a.ToDoubleArray();
        var y = b.ToDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < x.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(x[i] - y[i]));
            scale = Math.Max(scale, Math.Abs(y[i]));
        }
        return diff / scale;
    }

    /// <summary>The loss and autograd's dLoss/dw1, dLoss/dw2 (copies; the caller disposes).</summary>
    internal static (Tensor Loss, Tensor GradW1, Tensor GradW2) Gradients(Tensor x, Tensor y, Tensor w1, Tensor w2)
    {
        w1.RequiresGrad = true;
        w2.RequiresGrad = true;
        Tensor loss;
        using (var scope = Tensor.Scope())
        {
            loss = scope.Keep((x.MatMul(w1).Relu().MatMul(w2) - y).Pow(2).Sum());
            loss.Backward();
        }
        var g1 = w1.Grad!.Clone();
        var g2 = w2.Grad!.Clone();
        w1.ZeroGrad();
        w2.ZeroGrad();
        w1.RequiresGrad = false;
        w2.RequiresGrad = false;
        using (loss) return (loss.Detach(), g1, g2);
    }

    /// <summary>
    /// One step of the tutorial's loop: loss = Σ (relu(x·w1)·w2 − y)², Backward(), w −= lr·grad under
    /// NoGrad, zero the grads; returns the loss (0-d). <paramref name="activation"/> takes relu's place
    /// (20.3.5 passes MyReLU); 20.3.6 traces this same step into a static graph.
    /// </summary>
    internal static Tensor Step(Tensor x, Tensor y, Tensor w1, Tensor w2, Func<Tensor, Tensor>? activation = null)
    {
        var h = x.MatMul(w1);
        var loss = ((activation is null ? h.Relu() : activation(h)).MatMul(w2) - y).Pow(2).Sum();
        loss.Backward();
        using (Tensor.NoGrad())
        {
            w1.SubInPlace(w1.Grad! * TwoLayerRandom.LearningRate);
            w2.SubInPlace(w2.Grad! * TwoLayerRandom.LearningRate);
        }
        w1.ZeroGrad();
        w2.ZeroGrad();
        return loss;
    }

    /// <summary>Trains with autograd (<see cref="Step"/> with <paramref name="activation"/>, relu by default); returns the loss of every step.</summary>
    internal static double[] Train(Device device, ulong seed, int steps, DType dtype = DType.Float32, Func<Tensor, Tensor>? activation = null)
    {
        var (x, y, w1, w2) = TwoLayerRandom.Data(seed, device, dtype);
        w1.RequiresGrad = true;
        w2.RequiresGrad = true;
        var losses = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            using var scope = Tensor.Scope();
            losses[t] = Step(x, y, w1, w2, activation).Item();
        }
        foreach (var t in new[] { x, y, w1, w2 }) t.Dispose();
        return losses;
    }
}
