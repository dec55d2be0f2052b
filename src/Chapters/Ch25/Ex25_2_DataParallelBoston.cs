using System.Globalization;
using Engine;
using Engine.Data;
using Engine.Nn;
using Engine.Optim;
using Engine.Parallelism;

namespace Chapters.Ch25;

/// <summary>
/// 25.2 — DataParallel on Boston housing: Net1 prints the chunk each replica sees ("In Model"), the
/// loop prints the whole batch ("Outside"); Adam lr 0.01, MSE, 100 epochs; loss curve as PNG.
/// Without two GPUs the replicas run as CPU workers (or share the one GPU), so the split still shows.
/// --devices 0,1,3 picks GPUs; --devices cpu,cpu picks CPU workers; --drop-last and --pin-memory true|false
/// set the DataLoader's options (pinned batches by default on a GPU).
/// </summary>
public sealed class Ex25_2_DataParallelBoston : Exercise
{
    public override string Id => "25.2";
    public override string Title => "DataParallel on Boston housing: scatter, replicate, gather (Net1, Adam, MSE)";
    public override IReadOnlyList<string> OptionNames => ["epochs", "pin-memory", "drop-last", "devices"];

    public override void Run(ExerciseContext ctx)
    {
        var data = BostonData.Load();
        ctx.Print($"train {Tensor.ShapeString(data.XTrain.Shape)}, test {Tensor.ShapeString(data.XTest.Shape)} (split 0.2, seed {BostonData.SplitSeed}); features standardised with the training mean and std");
        ctx.Expect("train/test rows", "404/102", $"{data.XTrain.Dim(0)}/{data.XTest.Dim(0)}");
        var colMean = data.XTrain.Mean(0).ToDoubleArray();
        ctx.Expect("training features after standardising: max |column mean|", "≈ 0", colMean.Max(Math.Abs).ToString("0.#e+0", CultureInfo.InvariantCulture), colMean.Max(Math.Abs) < 1e-5);

        var devices = Devices(ctx);
        var output = devices[0];
        var lines = new List<string>();
        void Log(string line) { lock (lines) { lines.Add(line); ctx.Print(line); } }

        var model = new Net1(ctx.NewGenerator());
        model.To(output);
        var dp = new DataParallel(model, devices, output);
        ctx.Print($"{dp}; Net1 {model.ParameterCount} parameters");

        // The book's target has shape [B]; against outputs [B, 1] PyTorch broadcasts to [B, B] with only a warning.
        var criterion = new MSELoss();
        using (var probe = Tensor.Zeros([4, 1]))
        using (var flat = Tensor.Zeros([4]))
        {
            try { criterion.Forward(probe, flat); ctx.Print("warning: MSELoss accepted targets [B] against outputs [B, 1]"); }
            catch (ArgumentException e) { ctx.Print($"warning (once): the book's targets have shape [B]; here they are kept [B, 1]. Passing [B] fails loudly: {e.Message}"); }
        }

        int epochs = ctx.Int("epochs", ctx.Quick ? 3 : 100);
        bool pin = ctx.Options.TryGetValue("pin-memory", out var pm) ? pm != "false" : output.Type == DeviceType.Cuda;
        var loader = new DataLoader(new TensorDataset(data.XTrain, data.YTrain), 128, shuffle: true, seed: ctx.Seed, dropLast: ctx.Options.ContainsKey("drop-last"), pinMemory: pin);
        var opt = new Adam(model.Parameters(), lr: 0.01);
        var losses = new List<double>();
        var outside = new List<string>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            model.Log = epoch == 1 ? Log : null;
            double sum = 0;
            int n = 0;
            foreach (var (xb, yb) in loader)
            {
                using var scope = Tensor.Scope();
                var x = xb.To(output);
                var y = yb.To(output);
                var pred = dp.Forward(x);
                if (epoch == 1)
                {
                    string line = $"Outside: input size {Tensor.ShapeString(x.Shape)} output_size {Tensor.ShapeString(pred.Shape)}";
                    outside.Add(line);
                    Log(line);
                }
                var loss = criterion.Forward(pred, y);
                opt.ZeroGrad();
                loss.Backward();
                opt.Step();
                sum += loss.Item();
                n++;
            }
            losses.Add(sum / n);
            if (epoch == 1 || epoch % 10 == 0 || epoch == epochs) ctx.Print($"epoch {epoch}: train MSE {sum / n:F4}");
        }
        model.Log = null;
        double testMse;
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
            testMse = criterion.Forward(dp.Forward(data.XTest.To(output)), data.YTest.To(output)).Item();
        ctx.Print($"test MSE after {epochs} epochs: {testMse:F4}");
        string png = ctx.OutFile("loss.png");
        Plot(png, losses);
        ctx.Print($"loss curve: {png}");

        // The book's shapes, checked on the first epoch (2 replicas: chunks of 64, and 10 for the last batch of 20).
        string expectOutside = string.Join("; ", Enumerable.Repeat("[128, 13]→[128, 1]", 3).Append("[20, 13]→[20, 1]"));
        string gotOutside = string.Join("; ", outside.Select(l => l.Replace("Outside: input size ", "").Replace(" output_size ", "→")));
        if (!loader.DropLast) ctx.Expect("Outside shapes, epoch 1", expectOutside, gotOutside);
        var inModel = lines.Where(l => l.Contains("In Model")).Select(l => l.Trim().Replace("In Model: input size ", "")).Select(l => l[..l.IndexOf(" output", StringComparison.Ordinal)]).ToList();
        if (devices.Count == 2 && !loader.DropLast)
            ctx.Expect("In Model input sizes, epoch 1 (2 replicas)", "[64, 13] ×6, [10, 13] ×2",
                string.Join(", ", inModel.GroupBy(s => s).Select(g => $"{g.Key} ×{g.Count()}")));
        ctx.Expect("train MSE falls", $"< epoch 1 ({losses[0]:F1})", losses[^1].ToString("F1", CultureInfo.InvariantCulture), losses[^1] < losses[0]);

        // Gradients through DataParallel equal those of the same model run whole on one device.
        double diff = GradientCheck(ctx, data, devices, output);
        ctx.Expect("DataParallel gradients vs one device (max relative difference)", "≤ 1e-5", diff.ToString("0.##e+0", CultureInfo.InvariantCulture), diff <= 1e-5);
    }

    private static double GradientCheck(ExerciseContext ctx, BostonData data, IReadOnlyList<Device> devices, Device output)
    {
        using var scope = Tensor.Scope();
        var x = data.XTrain.Rows(0, 128).To(output);
        var y = data.YTrain.Rows(0, 128).To(output);
        var single = new Net1(ctx.NewGenerator());
        single.To(output);
        var wrapped = new Net1(ctx.NewGenerator());
        wrapped.To(output);
        var criterion = new MSELoss();
        criterion.Forward(single.Forward(x), y).Backward();
        criterion.Forward(new DataParallel(wrapped, devices, output).Forward(x), y).Backward();
        return Ex25_2b_DistributedTraining.MaxRelDiffGrad(wrapped, single);
    }

    /// <summary>--devices "0,1,3" (GPU ids), "cpu,cpu", or the default: two CPU workers on --device cpu, the visible GPUs on --device cuda.</summary>
    internal static IReadOnlyList<Device> Devices(ExerciseContext ctx)
    {
        if (ctx.Options.TryGetValue("devices", out var list))
            return list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, out int i) ? Device.Cuda(i) : Device.Parse(s)).ToArray();
        return ctx.Device.Type == DeviceType.Cuda ? DataParallel.DefaultDevices() : [Device.Cpu, Device.Cpu];
    }

    private static void Plot(string path, List<double> losses)
    {
        var plt = new ScottPlot.Plot();
        var line = plt.Add.ScatterLine(Enumerable.Range(1, losses.Count).Select(i => (double)i).ToArray(), losses.ToArray());
        line.LegendText = "train MSE (mean over batches)";
        plt.Title("25.2 DataParallel, Net1 on Boston housing");
        plt.XLabel("epoch");
        plt.YLabel("MSE");
        plt.ShowLegend();
        plt.SavePng(path, 800, 500);
    }
}
