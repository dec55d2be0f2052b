using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Data;
using Engine.Optim;
using Engine.Scratch;

namespace Chapters.Ch24;

/// <summary>
/// 24.6 — the optimisers compared (DLfS 6.1): (1) on f(x, y) = x²/20 + y² from (−7, 2), 30 steps of
/// SGD lr 0.95, Momentum lr 0.1, AdaGrad lr 1.5, Adam lr 0.3, paths drawn over the contour lines
/// (DLfS fig. 6-8); (2) on MNIST, a MultiLayerNet 784-100×4-10 (ReLU, He init) per optimiser,
/// batch 128, 2000 iterations, the same batches for all, loss printed every 100 iterations and
/// plotted (SGD 0.01, Momentum 0.01/0.9, AdaGrad 0.01, Adam 0.001). <c>--quick</c>: 200 iterations.
/// </summary>
public sealed class Ex24_6_OptimizerComparison : Exercise
{
    public override string Id => "24.6";
    public override string Title => "Optimisers compared: SGD, Momentum, AdaGrad, Adam (toy function and MNIST)";
    public override IReadOnlyList<string> OptionNames => ["iterations"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The toy function f(x, y) = x²/20 + y².</summary>
    internal static double F(double x, double y) => x * x / 20.0 + y * y;

    /// <summary>The toy optimisers with the book's learning rates, in the book's order.</summary>
    internal static (string Name, Optimizer Optimizer)[] ToyOptimizers() =>
    [
        ("SGD", new Sgd(lr: 0.95)),
        ("Momentum", new Momentum(lr: 0.1)),
        ("AdaGrad", new AdaGrad(lr: 1.5)),
        ("Adam", new Adam(lr: 0.3)),
    ];

    /// <summary>
    /// Runs an optimiser for <paramref name="steps"/> steps on f from (−7, 2) with DLfS's params dict
    /// {x, y} (float64 scalars) and grads df = (x/10, 2y); returns the steps+1 positions visited.
    /// </summary>
    internal static (double[] X, double[] Y) ToyPath(Optimizer optimizer, int steps = 30)
    {
        using var scope = Tensor.Scope();
        var parameters = new Dictionary<string, Tensor>
        {
            ["x"] = Tensor.FromArray(new[] { -7.0 }),
            ["y"] = Tensor.FromArray(new[] { 2.0 }),
        };
        var xs = new double[steps + 1];
        var ys = new double[steps + 1];
        for (int i = 0; ; i++)
        {
            double x = parameters["x"].Item(), y = parameters["y"].Item();
            xs[i] = x;
            ys[i] = y;
            if (i == steps) break;
            var grads = new Dictionary<string, Tensor>
            {
                ["x"] = Tensor.FromArray(new[] { x / 10.0 }),
                ["y"] = Tensor.FromArray(new[] { 2.0 * y }),
            };
            optimizer.Update(parameters, grads);
        }
        return (xs, ys);
    }

    /// <summary>End points after 30 steps from DLfS's NumPy optimisers (Adam in PyTorch's form, eps 1e-8), 4 decimals.</summary>
    internal static readonly Dictionary<string, (string X, string Y)> ToyEndPointsNumPy = new()
    {
        ["SGD"] = ("-0.3504", "0.0848"),
        ["Momentum"] = ("0.8964", "0.0881"),
        ["AdaGrad"] = ("-0.1202", "0.0000"),
        ["Adam"] = ("0.1360", "0.3182"),
    };

    public override void Run(ExerciseContext ctx)
    {
        Toy(ctx);
        Mnist(ctx);
    }

    private static void Toy(ExerciseContext ctx)
    {
        var plots = new List<ScottPlot.Plot>();
        ctx.Print("f(x, y) = x^2/20 + y^2 from (-7, 2), 30 steps:");
        foreach (var (name, optimizer) in ToyOptimizers())
        {
            var (xs, ys) = ToyPath(optimizer);
            string ex = xs[^1].ToString("F4", Inv), ey = ys[^1].ToString("F4", Inv);
            if (ey == "-0.0000") ey = "0.0000";
            ctx.Print($"{name,-9} lr {optimizer.LearningRate.ToString(Inv),-4} -> ({ex}, {ey})  f = {F(xs[^1], ys[^1]).ToString("G4", Inv)}");
            var (bx, by) = ToyEndPointsNumPy[name];
            ctx.Expect($"toy {name} end point", $"({bx}, {by})", $"({ex}, {ey})");

            var plot = Plots.New(name, "x", "y");
            var contour = Plots.Contour(plot, F, -10, 10, -5, 5, levels: 7, zMax: 7);
            contour.LabelStyle.IsVisible = false;
            Plots.Line(plot, xs, ys, markers: true, color: ScottPlot.Colors.Red);
            plot.Add.Marker(0, 0, ScottPlot.MarkerShape.Cross, 12, ScottPlot.Colors.Black);
            plot.Axes.SetLimits(-10, 10, -10, 10);
            plots.Add(plot);
        }
        string path = Plots.SaveGrid(plots, 2, 2, ctx.OutFile("optimizer_compare_naive.png"), 1000, 900);
        ctx.Print($"wrote {path}");
    }

    private static void Mnist(ExerciseContext ctx)
    {
        var (train, _) = Engine.Data.Mnist.Load(normalize: true, oneHot: false);
        train = train.To(ctx.Device);
        int maxIterations = ctx.Int("iterations", ctx.Quick ? 200 : 2000);
        int every = Math.Max(1, maxIterations / 20);
        if (maxIterations >= 1000) every = 100;
        const int batchSize = 128;
        var gen = ctx.NewGenerator();
        (string Name, Func<Optimizer> Make)[] setups =
        [
            ("SGD", () => new Sgd(lr: 0.01)),
            ("Momentum", () => new Momentum(lr: 0.01, momentum: 0.9)),
            ("AdaGrad", () => new AdaGrad(lr: 0.01)),
            ("Adam", () => new Adam(lr: 0.001)),
        ];
        var nets = setups.Select(_ => new MultiLayerNet(784, [100, 100, 100, 100], 10, activation: "relu", weightInitStd: "he", generator: gen, device: ctx.Device)).ToArray();
        var optimizers = setups.Select(s => s.Make()).ToArray();
        var losses = setups.Select(_ => new List<double>()).ToArray();
        ctx.Print($"MNIST, MultiLayerNet 784-100-100-100-100-10 (ReLU, He), batch {batchSize}, {maxIterations} iterations:");
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < maxIterations; i++)
        {
            using var scope = Tensor.Scope();
            var (x, t) = train.SampleBatch(batchSize, gen);
            for (int k = 0; k < setups.Length; k++)
            {
                var grads = nets[k].Gradient(x, t);
                optimizers[k].Update(nets[k].Params, grads);
                losses[k].Add(nets[k].Loss(x, t));
            }
            if (i % every == 0 || i == maxIterations - 1)
            {
                ctx.Print($"===========iteration:{i}===========   ({sw.Elapsed.TotalSeconds:F0} s)");
                for (int k = 0; k < setups.Length; k++) ctx.Print($"{setups[k].Name}:{losses[k][^1].ToString("G6", Inv)}");
            }
        }

        var curves = ScottPlotCurves(ctx, setups.Select(s => s.Name).ToArray(), losses);
        ctx.Print($"wrote {curves}");
        // smoothed final loss: mean of the last 100 (or last 10%) iterations
        int window = Math.Max(1, Math.Min(100, maxIterations / 10));
        var final = losses.Select(l => l.TakeLast(window).Average()).ToArray();
        ctx.Print("smoothed final loss (mean of the last " + window + " iterations): "
            + string.Join(", ", setups.Select((s, k) => $"{s.Name} {final[k]:F4}")));
        bool sgdWorst = final.Skip(1).All(v => v < final[0]);
        ctx.Expect($"SGD has the highest loss at iteration {maxIterations}", "SGD worst", sgdWorst ? "SGD worst" : "SGD " + final[0].ToString("F4", Inv), sgdWorst);
        if (maxIterations >= 2000)
            for (int k = 1; k < setups.Length; k++)
                ctx.Expect($"{setups[k].Name} smoothed loss at {maxIterations}", "< 0.3", final[k].ToString("F4", Inv), final[k] < 0.3);
    }

    private static string ScottPlotCurves(ExerciseContext ctx, string[] names, List<double>[] losses)
    {
        var plot = Plots.New("optimisers on MNIST (MultiLayerNet 784-100x4-10)", "iterations", "loss");
        for (int k = 0; k < names.Length; k++)
        {
            var smooth = Smooth(losses[k]);
            Plots.Line(plot, Enumerable.Range(0, smooth.Length).Select(i => (double)i).ToArray(), smooth, names[k]);
        }
        plot.Axes.SetLimits(0, losses[0].Count, 0, 1);
        plot.ShowLegend();
        return Plots.Save(plot, ctx.OutFile("optimizer_compare_mnist.png"));
    }

    /// <summary>Centred moving average of width 11 (DLfS smooths the curves with an 11-point window).</summary>
    private static double[] Smooth(List<double> v)
    {
        const int half = 5;
        var s = new double[v.Count];
        for (int i = 0; i < v.Count; i++)
        {
            int a = Math.Max(0, i - half), b = Math.Min(v.Count - 1, i + half);
            double sum = 0;
            for (int j = a; j <= b; j++) sum += v[j];
            s[i] = sum / (b - a + 1);
        }
        return s;
    }
}
