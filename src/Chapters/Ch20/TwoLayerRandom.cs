using System.Globalization;
using Engine;

namespace Chapters.Ch20;

/// <summary>
/// The shared setting of 20.3.2–20.3.6 (PyTorch's "Learning PyTorch with Examples"): N=64, D_in=1000,
/// H=100, D_out=10; x, y, w1, w2 ~ randn drawn in that order from one seeded generator; loss = Σ(ŷ − y)²;
/// plain gradient descent with lr 1e-6 for 500 steps (--steps N, 100 with --quick).
/// </summary>
internal static class TwoLayerRandom
{
    public const int N = 64, DIn = 1000, H = 100, DOut = 10;
    public const double LearningRate = 1e-6;

    /// <summary>x [N, D_in], y [N, D_out], w1 [D_in, H], w2 [H, D_out], drawn on the CPU so every device gets the same numbers.</summary>
    public static (Tensor X, Tensor Y, Tensor W1, Tensor W2) Data(ulong seed, Device device, DType dtype = DType.Float32)
    {
        var g = new Generator(seed);
        var x = Tensor.Randn([N, DIn], dtype, device, g);
        var y = Tensor.Randn([N, DOut], dtype, device, g);
        var w1 = Tensor.Randn([DIn, H], dtype, device, g);
        var w2 = Tensor.Randn([H, DOut], dtype, device, g);
        return (x, y, w1, w2);
    }

    public static int Steps(ExerciseContext ctx) => ctx.Int("steps", ctx.Quick ? 100 : 500);

    public static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Prints "t loss" every 100 steps (t = 99, 199, … as the tutorial does) and records the SPEC checks.</summary>
    public static void Report(ExerciseContext ctx, double[] losses, double minFall = 1000)
    {
        for (int t = 99; t < losses.Length; t += 100) ctx.Print($"{t} {Fmt(losses[t])}");
        double first = losses[0], last = losses[^1], fall = first / last;
        ctx.Print($"first loss {Fmt(first)}, last loss {Fmt(last)}, fell {Fmt(fall)}x in {losses.Length} steps");
        ctx.Expect("first loss", "~1e7", Fmt(first), first is > 1e6 and < 1e8);
        ctx.Expect($"loss falls ≥ {minFall:0}x", $"≥ {minFall:0}x", Fmt(fall) + "x", fall >= minFall);
    }

    /// <summary>On a GPU run, the SPEC's cross-check: the CPU run from the same seed ends within 1e-3 relative.</summary>
    public static void CompareWithCpu(ExerciseContext ctx, double[] losses, Func<Device, double[]> train)
    {
        if (ctx.Device.Type == DeviceType.Cpu) return;
        var cpu = train(Device.Cpu);
        double rel = Math.Abs(cpu[^1] - losses[^1]) / Math.Abs(cpu[^1]);
        ctx.Print($"CPU final loss {Fmt(cpu[^1])}, {ctx.Device} final loss {Fmt(losses[^1])}, relative difference {rel:E2}");
        ctx.Expect("CPU vs GPU final loss", "≤ 1e-3 relative", rel.ToString("E2", CultureInfo.InvariantCulture), rel <= 1e-3);
    }
}
