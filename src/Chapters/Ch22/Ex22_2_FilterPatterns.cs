using Engine;
using Engine.Nn;
using Engine.Vision;
using static Chapters.Ch22.Ch22Inputs;

namespace Chapters.Ch22;

/// <summary>
/// 22.2 — what each filter responds to, by gradient ascent on the input (Engine.Vision.FilterPatterns):
/// loss = mean activation of one filter, gradient ÷ (RMS + 1e-5), 40 steps of step 1 from grey noise,
/// deprocessed (standardise, ×0.1, +0.5, clip, ×255) into 8×8 grids with 5-px margins. On the pretrained
/// ResNet18 (ONNX): the first 64 filters of conv1 and of stages layer1–layer3 on 80×80 inputs
/// (--quick: 16 filters of conv1 and layer1 on 64×64). On the 20.4.2 CNN: its conv1 and conv2 filters
/// (the book's recipe in the CNN's 0–1 pixel scale). Checks that each filter's mean activation rises.
/// Options: --filters N, --size S, --steps K. Writes out/22.2/*.png.
/// </summary>
public sealed class Ex22_2_FilterPatterns : Exercise
{
    public override string Id => "22.2";
    public override IReadOnlyList<string> OptionNames => ["filters", "size", "steps", "train", "data"];
    public override string Title => "Filter patterns by gradient ascent: ResNet18 stages and the 20.4.2 CNN";

    /// <summary>ResNet18 stages: the value whose channels are visualised.</summary>
    private static readonly (string Stage, string Value)[] Stages =
        [("conv1", "Convolution249_Output_0"), ("layer1", "ReLU283_Output_0"), ("layer2", "ReLU315_Output_0"), ("layer3", "ReLU347_Output_0")];

    public override void Run(ExerciseContext ctx)
    {
        int steps = ctx.Int("steps", 40);
        ResNet(ctx, steps);
        Cnn(ctx, steps);
    }

    private static void ResNet(ExerciseContext ctx, int steps)
    {
        int filters = ctx.Int("filters", ctx.Quick ? 16 : 64), size = ctx.Int("size", ctx.Quick ? 64 : 80);
        var (model, _) = ResNet18(ctx);
        var gen = ctx.NewGenerator();
        foreach (var (stage, value) in Stages.Take(ctx.Quick ? 2 : 4))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            // The model's input is BGR minus the ImageNet mean image, so the grey noise is centred on 0.
            var result = FilterPatterns.Generate(x => model.Run(x, value)[value], Enumerable.Range(0, filters).ToArray(),
                3, size, size, gen, steps: steps, step: 1, offset: -10, device: ctx.Device);
            // The input channels are B, G, R: swap to RGB for the picture.
            using var rgb = ImagePreprocess.SwapRedBlue(result.Inputs).Cpu();
            Save(ctx, $"resnet18_{stage}", rgb, filters);
            Report(ctx, $"ResNet18 {stage} ({value})", result.Losses, sw.Elapsed.TotalSeconds);
            result.Inputs.Dispose();
        }
    }

    private static void Cnn(ExerciseContext ctx, int steps)
    {
        var (model, test, _) = TrainedCnn(ctx);
        test.Dispose();
        foreach (var p in model.Parameters()) p.RequiresGrad = false;
        var gen = ctx.NewGenerator();
        foreach (var (name, layer, count) in new[] { ("conv1", 0, 16), ("conv2", 3, 32) })
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            // The book's recipe (noise ×20 + 128, step 1 on 0–255 pixels) in the CNN's 0–1 pixel scale.
            var result = FilterPatterns.Generate(x => RunTo(model, x, layer), Enumerable.Range(0, count).ToArray(),
                1, 28, 28, gen, steps: steps, step: 1 / 255.0, offset: 128 / 255.0, noise: 20 / 255.0, device: ctx.Device);
            using var cpu = result.Inputs.Cpu();
            Save(ctx, $"cnn_{name}", cpu, count);
            Report(ctx, $"20.4.2 CNN {name}", result.Losses, sw.Elapsed.TotalSeconds);
            result.Inputs.Dispose();
        }
    }

    private static Tensor RunTo(Sequential model, Tensor x, int layer)
    {
        for (int i = 0; i <= layer; i++) x = model.Layers[i].Forward(x);
        return x;
    }

    /// <summary>Each input deprocessed, 8 per row with 5-px margins.</summary>
    private static void Save(ExerciseContext ctx, string name, Tensor inputs, int count)
    {
        var tiles = Enumerable.Range(0, count).Select(i => FilterPatterns.Deprocess(Engine.Functional.F.Narrow(inputs, 0, i, 1))).ToList();
        var file = ctx.OutFile(name + ".png");
        ImageIO.SavePng(ImageGrid.Tile(tiles, perRow: 8, margin: 5), file);
        ctx.Print($"  → {Path.GetFileName(file)}");
    }

    /// <summary>Prints the mean activation before/after and checks that it rose for (nearly) every filter.</summary>
    private static void Report(ExerciseContext ctx, string what, double[][] losses, double seconds)
    {
        int n = losses.Length, rose = 0, monotone = 0, dead = 0;
        foreach (var l in losses)
        {
            if (l[^1] > l[0]) rose++;
            if (l.Zip(l.Skip(1)).All(p => p.Second >= p.First)) monotone++;
            if (l.All(v => v == 0)) dead++;
        }
        double first = losses.Average(l => l[0]), last = losses.Average(l => l[^1]);
        ctx.Print($"{what}: {n} filters, mean activation {first.ToString("G4", Inv)} → {last.ToString("G4", Inv)} after {losses[0].Length - 1} steps; "
            + $"rose for {rose}, monotone for {monotone}, never active {dead} ({seconds:F1} s)");
        ctx.Expect($"22.2 {what}: activation rises for every filter that responds", $"{n - dead}/{n}", $"{rose}/{n}", rose == n - dead && rose >= n * 3 / 4);
        ctx.Expect($"22.2 {what}: mean activation rises monotonically", "monotone", monotone == n ? "monotone" : $"{monotone}/{n} monotone", MeanRisesMonotonically(losses));
    }

    private static bool MeanRisesMonotonically(double[][] losses)
    {
        int steps = losses[0].Length;
        double prev = double.NegativeInfinity;
        for (int s = 0; s < steps; s++)
        {
            double m = losses.Average(l => l[s]);
            if (m < prev) return false;
            prev = m;
        }
        return true;
    }
}
