using System.Globalization;
using Engine;
using Engine.Nn;

namespace Chapters.Ch20;

/// <summary>
/// 20.4.1 — the chapter's first complete example: a 1-D noisy regression. y = sin(x) + ε, ε ~ N(0, σ²)
/// with σ = 0.1, x ~ U(−3, 3), 256 training points; model Linear(1,32)–Tanh–Linear(32,32)–Tanh–Linear(32,1),
/// MSELoss, full-batch SGD (lr 0.1). A good fit leaves the noise: the final training MSE should sit near
/// σ² = 0.01 (checked: between 0.5σ² and 1.5σ²), and the fitted curve near sin(x). Writes fit.png.
/// </summary>
public sealed class Ex20_4_1_Regression1D : Exercise
{
    public override string Id => "20.4.1";
    public override string Title => "Regression: small MLP fits a noisy sine with MSE and SGD; fitted-curve PNG";
    public override IReadOnlyList<string> OptionNames => ["epochs"];

    internal const double Sigma = 0.1;

    public override void Run(ExerciseContext ctx)
    {
        int epochs = ctx.Int("epochs", ctx.Quick ? 1500 : 4000);
        var r = Train(ctx.Device, ctx.Seed, epochs);
        for (int e = 0; e < r.Losses.Length; e += Math.Max(1, epochs / 8)) ctx.Print($"epoch {e,5}  mse {Fmt(r.Losses[e])}");
        double final = r.Losses[^1], noise = Sigma * Sigma;
        ctx.Print($"final training MSE {Fmt(final)} vs noise variance σ² = {Fmt(noise)} (ratio {Fmt(final / noise)}); MSE of the fit against sin(x) {Fmt(r.TrueFunctionMse)}");
        string png = ctx.OutFile("fit.png");
        Plot(png, r);
        ctx.Print($"wrote {png}");
        ctx.Expect("final MSE near σ² = 0.01", "0.5σ²–1.5σ²", Fmt(final), final >= 0.5 * noise && final <= 1.5 * noise);
        ctx.Expect("fit vs sin(x) MSE", "< σ²/2", Fmt(r.TrueFunctionMse), r.TrueFunctionMse < noise / 2);
    }

    private static string Fmt(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    internal sealed record Result(double[] Losses, double[] X, double[] Y, double[] GridX, double[] GridFit, double TrueFunctionMse);

    internal static Result Train(Device device, ulong seed, int epochs)
    {
        var g = new Generator(seed);
        const int n = 256;
        var xs = new double[n];
        var ys = new double[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = -3 + 6 * g.NextDouble();
            ys[i] = Math.Sin(xs[i]) + Sigma * g.NextNormal();
        }
        using var x = Tensor.FromDoubles(xs, [n, 1], DType.Float32, device);
        using var y = Tensor.FromDoubles(ys, [n, 1], DType.Float32, device);
        var model = new Sequential(new Linear(1, 32, generator: g), new Tanh(), new Linear(32, 32, generator: g), new Tanh(), new Linear(32, 1, generator: g));
        model.To(device);
        var lossFn = new MSELoss();
        const double lr = 0.1;
        var losses = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            using var scope = Tensor.Scope();
            var loss = lossFn.Forward(model.Forward(x), y);
            losses[e] = loss.Item();
            model.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (var p in model.Parameters()) p.SubInPlace(p.Grad! * lr);
        }
        const int m = 200;
        var gx = Enumerable.Range(0, m).Select(i => -3 + 6.0 * i / (m - 1)).ToArray();
        double[] fit;
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
            fit = model.Forward(Tensor.FromDoubles(gx, [m, 1], DType.Float32, device)).ToDoubleArray();
        double trueMse = gx.Select((v, i) => (fit[i] - Math.Sin(v)) * (fit[i] - Math.Sin(v))).Average();
        return new Result(losses, xs, ys, gx, fit, trueMse);
    }

    private static void Plot(string path, Result r)
    {
        var plt = new ScottPlot.Plot();
        var points = plt.Add.ScatterPoints(r.X, r.Y);
        points.LegendText = "data: sin(x) + N(0, 0.1²)";
        points.MarkerSize = 4;
        var truth = plt.Add.ScatterLine(r.GridX, r.GridX.Select(Math.Sin).ToArray());
        truth.LegendText = "sin(x)";
        truth.LinePattern = ScottPlot.LinePattern.Dashed;
        var fit = plt.Add.ScatterLine(r.GridX, r.GridFit);
        fit.LegendText = "MLP fit";
        fit.LineWidth = 2;
        plt.Title("20.4.1 noisy regression");
        plt.XLabel("x");
        plt.YLabel("y");
        plt.ShowLegend();
        plt.SavePng(path, 800, 500);
    }
}
