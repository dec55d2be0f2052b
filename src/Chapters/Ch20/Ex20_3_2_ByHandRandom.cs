using System.Globalization;
using Engine;

namespace Chapters.Ch20;

/// <summary>
/// 20.3.2 — the same two-layer net by hand in the general case (PyTorch's "warm-up: numpy" example):
/// N=64, D_in=1000, H=100, D_out=10, x, y, w1, w2 ~ N(0, 1), sum-of-squares loss, 500 SGD steps of
/// lr 1e-6 with a hand-written backward pass (float64 CPU tensors, no autograd).
/// </summary>
public sealed class Ex20_3_2_ByHandRandom : Exercise
{
    public override string Id => "20.3.2";
    public override string Title => "Forward and backward by hand, general case (N=64, 1000-100-10, 500 steps)";

    public override void Run(ExerciseContext ctx)
    {
        const int n = 64, dIn = 1000, hidden = 100, dOut = 10, steps = 500;
        const double learningRate = 1e-6;
        var gen = ctx.NewGenerator();
        using var outer = Tensor.Scope();
        var x = Tensor.Randn([n, dIn], DType.Float64, generator: gen);
        var y = Tensor.Randn([n, dOut], DType.Float64, generator: gen);
        var w1 = Tensor.Randn([dIn, hidden], DType.Float64, generator: gen);
        var w2 = Tensor.Randn([hidden, dOut], DType.Float64, generator: gen);
        double first = double.NaN, last = double.NaN;
        for (int t = 0; t < steps; t++)
        {
            using var scope = Tensor.Scope();
            // forward: h = x·w1, h_relu = max(h, 0), y_pred = h_relu·w2
            var h = x.MatMul(w1);
            var hRelu = h.Relu();
            var yPred = hRelu.MatMul(w2);
            var diff = yPred - y;
            double loss = diff.Square().Sum().Item();
            if (t == 0) first = loss;
            last = loss;
            if (t == 0 || t % 100 == 99) ctx.Print($"{t} {loss.ToString("G8", CultureInfo.InvariantCulture).Replace("E", "e")}");

            // backward by hand
            var gradYPred = diff * 2.0;
            var gradW2 = hRelu.MatMul(gradYPred, transA: true);
            var gradHRelu = gradYPred.MatMul(w2, transB: true);
            var gradH = gradHRelu * h.Greater(0);
            var gradW1 = x.MatMul(gradH, transA: true);

            w1.SubInPlace(gradW1 * learningRate);
            w2.SubInPlace(gradW2 * learningRate);
        }
        double factor = first / last;
        ctx.Print($"loss fell from {first.ToString("G4", CultureInfo.InvariantCulture)} to {last.ToString("G4", CultureInfo.InvariantCulture)} ({factor.ToString("G3", CultureInfo.InvariantCulture)}x)".Replace("E", "e"));
        ctx.Expect("initial loss ~1e7", "1e6 .. 1e8", first.ToString("G3", CultureInfo.InvariantCulture), first is > 1e6 and < 1e8);
        ctx.Expect("loss falls by ≥ 1000x in 500 steps", "≥ 1000x", factor.ToString("G3", CultureInfo.InvariantCulture) + "x", factor >= 1000);
    }
}
