using System.Globalization;
using Engine;
using Engine.Optim;

namespace Chapters.Ch21;

/// <summary>
/// 21.4.7 — optimizer.Minimize: f(x) = x⁶ + 2x⁴ + 3x² + x + 1 from x = 2 with Adam (lr 0.9, β1 0.9,
/// β2 0.999, ε 1e-7 as TensorFlow.js), 200 Minimize calls; the book prints x = −0.16092407703399658 (float32).
/// </summary>
public sealed class Ex21_4_7_Minimize : Exercise
{
    public override string Id => "21.4.7";
    public override string Title => "optimizer.Minimize: Adam(0.9) finds the minimum of x^6+2x^4+3x^2+x+1 from x = 2";

    /// <summary>The book's result.</summary>
    public const double Book = -0.16092407703399658;

    /// <summary>Runs the 200 steps in <paramref name="dtype"/> and returns x.</summary>
    internal static double Solve(Device device, DType dtype, int steps = 200)
    {
        using var x = new Variable(Tensor.Scalar(2, dtype, device), name: "x");
        var f = (Tensor t) => t.Pow(6) + t.Pow(4) * 2 + t.Square() * 3 + t + 1;
        var optimizer = new Adam(lr: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-7);
        for (int i = 0; i < steps; i++) optimizer.Minimize(() => f(x.Value), varList: [x]);
        return x.Value.Item();
    }

    public override void Run(ExerciseContext ctx)
    {
        double x32 = Solve(ctx.Device, DType.Float32);
        ctx.Print($"after 200 Adam steps (float32): x = {x32.ToString("R", CultureInfo.InvariantCulture)}  (book {Book.ToString("R", CultureInfo.InvariantCulture)})");
        ctx.Expect("x after 200 Minimize calls (float32)", "-0.16092 ± 1e-5", x32.ToString("F8", CultureInfo.InvariantCulture), Math.Abs(x32 - Book) <= 1e-5);
        if (ctx.Device.Type == DeviceType.Cpu)
        {
            double x64 = Solve(ctx.Device, DType.Float64);
            ctx.Print($"float64: x = {x64.ToString("R", CultureInfo.InvariantCulture)}");
            ctx.Expect("x (float64)", "-0.1609241167 ± 1e-5", x64.ToString("F10", CultureInfo.InvariantCulture), Math.Abs(x64 - -0.1609241167) <= 1e-5);
        }
    }
}
