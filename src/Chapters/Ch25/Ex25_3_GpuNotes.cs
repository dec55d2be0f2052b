using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Amp;
using Engine.Nn;
using Engine.Optim;

namespace Chapters.Ch25;

/// <summary>
/// 25.3 — the chapter's notes made measurable: (1) small problems can be slower on the GPU than on the
/// CPU (a table of CPU vs GPU time by size, and the crossover); (2) pinned host memory on/off for
/// host→device copies; (3) float16 / bfloat16 training of Net1 with loss scaling on --device (values
/// rounded to float16 or bfloat16 by the backend's rounding op — System.Half / bit rounding on the CPU,
/// the unary_roundfloat16 / unary_roundbfloat16 kernels on CUDA — master weights in float32, GradScaler).
/// Parts (1) and (2) need a GPU; without one they say so and show the CPU side only.
/// </summary>
public sealed class Ex25_3_GpuNotes : Exercise
{
    public override string Id => "25.3";
    public override string Title => "CPU vs GPU by problem size, pinned memory, float16/bfloat16 training with loss scaling";
    public override IReadOnlyList<string> OptionNames => ["epochs"];

    public override void Run(ExerciseContext ctx)
    {
        bool gpu = Device.IsAvailable;
        Crossover(ctx, gpu);
        Pinned(ctx, gpu);
        MixedPrecision(ctx);
    }

    private static double Median(List<double> xs) { xs.Sort(); return xs[xs.Count / 2]; }

    /// <summary>Median milliseconds of <paramref name="body"/> over a few runs after one warm-up.</summary>
    private static double Time(Action body, int reps)
    {
        body();
        var t = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            long s = Stopwatch.GetTimestamp();
            body();
            t.Add(Stopwatch.GetElapsedTime(s).TotalMilliseconds);
        }
        return Median(t);
    }

    private static void Crossover(ExerciseContext ctx, bool gpu)
    {
        int[] sizes = ctx.Quick ? [16, 64, 128] : [16, 32, 64, 128, 256, 512, 1024];
        ctx.Print("(1) y = x·x for x [n, n] float32, including the copies to and from the device (median ms):");
        ctx.Print(gpu ? "       n      cpu ms      gpu ms   faster" : "       n      cpu ms");
        var g = ctx.NewGenerator();
        int? crossover = null;
        foreach (int n in sizes)
        {
            using var x = Tensor.Randn([n, n], generator: g);
            int reps = n >= 512 ? 3 : 7;
            double cpu = Time(() => { using var y = x.MatMul(x); }, reps);
            if (!gpu)
            {
                ctx.Print($"{n,8} {cpu,11:F3}");
                continue;
            }
            var dev = Device.Cuda(0);
            double gpuMs = Time(() =>
            {
                using var xd = x.To(dev);
                using var yd = xd.MatMul(xd);
                using var y = yd.Cpu();
            }, reps);
            if (crossover is null && gpuMs < cpu) crossover = n;
            ctx.Print($"{n,8} {cpu,11:F3} {gpuMs,11:F3}   {(gpuMs < cpu ? "gpu" : "cpu")}");
        }
        if (!gpu)
            ctx.Print($"no GPU here ({DeviceRegistry.CudaUnavailableReason}): the GPU column and the crossover need `chapters run 25.3 --device cuda` on a GPU machine.");
        else
        {
            ctx.Print(crossover is int c ? $"crossover: from n = {c} the GPU wins (below it launch and copy overheads dominate)" : "the CPU won at every size measured");
            ctx.Expect("a size exists where the GPU is faster", "yes", crossover is null ? "no" : $"n = {crossover}", crossover is not null);
        }
    }

    private static void Pinned(ExerciseContext ctx, bool gpu)
    {
        if (!gpu)
        {
            ctx.Print("(2) pinned vs pageable host memory for host→device copies: needs a GPU; skipped.");
            return;
        }
        int n = ctx.Quick ? 4 << 20 : 16 << 20;
        var dev = Device.Cuda(0);
        using var pageable = Tensor.Zeros([n]);
        using var pinned = Tensor.ZerosPinned([n]);
        double msPageable = Time(() => { using var d = pageable.To(dev); dev.Backend.Synchronize(); }, 5);
        double msPinned = Time(() => { using var d = pinned.To(dev); dev.Backend.Synchronize(); }, 5);
        double mb = n * 4 / 1e6;
        ctx.Print($"(2) host→device copy of {mb:F0} MB: pageable {msPageable:F2} ms ({mb / msPageable:F1} GB/s), pinned {msPinned:F2} ms ({mb / msPinned:F1} GB/s)");
    }

    private sealed record PrecisionRun(string Name, double FirstEpochMse, double TrainMse, double TestMse, double UnderflowPercent, int Skipped, double Scale);

    private static void MixedPrecision(ExerciseContext ctx)
    {
        var data = BostonData.Load();
        int epochs = ctx.Int("epochs", ctx.Quick ? 10 : 100);
        ctx.Print($"(3) Net1 on Boston on {ctx.Device}, Adam lr 0.01, MSE, {epochs} epochs, batch 128, the same initial weights and batches for every run:");
        var runs = new List<PrecisionRun>
        {
            Train(ctx, data, epochs, "float32", null, null),
            Train(ctx, data, epochs, "float16, no loss scaling", HalfType.Float16, null),
            Train(ctx, data, epochs, "float16 + GradScaler", HalfType.Float16, new GradScaler(initScale: 65536, growthInterval: 200)),
            Train(ctx, data, epochs, "bfloat16, no loss scaling", HalfType.BFloat16, null),
        };
        ctx.Print("  run                         train MSE   test MSE   grads flushed to 0   skipped steps   final scale");
        foreach (var r in runs)
            ctx.Print($"  {r.Name,-26} {r.TrainMse,10:F4} {r.TestMse,10:F4} {r.UnderflowPercent,19:F4}% {r.Skipped,15} {(r.Scale > 0 ? r.Scale.ToString("G6", CultureInfo.InvariantCulture) : "-"),13}");
        var fp32 = runs[0];
        foreach (var r in runs)
            ctx.Expect($"{r.Name}: final train MSE below half of epoch 1's ({r.FirstEpochMse:F1})", "yes", r.TrainMse.ToString("F2", CultureInfo.InvariantCulture), r.TrainMse < 0.5 * r.FirstEpochMse);
        if (epochs >= 50)
            foreach (var r in runs.Skip(1))
                ctx.Expect($"{r.Name}: test MSE within 25% of float32 ({fp32.TestMse:F2})", "yes", r.TestMse.ToString("F2", CultureInfo.InvariantCulture),
                Math.Abs(r.TestMse - fp32.TestMse) <= 0.25 * fp32.TestMse);
    }

    /// <summary>
    /// One training run. In reduced precision: weights rounded from float32 master copies before each
    /// forward, every layer's input and output rounded (and the gradients flowing back through them), the
    /// parameter gradients rounded, the update applied to the float32 masters; the loss in float32.
    /// </summary>
    private static PrecisionRun Train(ExerciseContext ctx, BostonData data, int epochs, string name, HalfType? half, GradScaler? scaler)
    {
        var device = ctx.Device;
        var model = new Net1(ctx.NewGenerator());
        model.To(device);
        var parameters = model.Parameters().ToArray();
        var opt = new Adam(parameters, lr: 0.01);
        var criterion = new MSELoss();
        var loader = new Engine.Data.DataLoader(new Engine.Data.TensorDataset(data.XTrain, data.YTrain), 128, shuffle: true, seed: ctx.Seed);
        long flushed = 0, total = 0;
        double last = 0, first = 0;
        Tensor Forward(Tensor x)
        {
            if (half is not HalfType h) return model.Forward(x);
            x = Precision.Round(x, h);
            foreach (var layer in model.Layers.Layers) x = Precision.Round(layer.Forward(x), h);
            return x;
        }
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double sum = 0;
            int n = 0;
            foreach (var (xb, yb) in loader)
            {
                using var scope = Tensor.Scope();
                var x = xb.To(device);
                var y = yb.To(device);
                var masters = half is null ? null : parameters.Select(p => p.Clone()).ToArray();
                if (half is HalfType h1) foreach (var p in parameters) Precision.RoundInPlace(p, h1);
                opt.ZeroGrad();
                var loss = criterion.Forward(Forward(x), y);
                (scaler is null ? loss : scaler.ScaleLoss(loss)).Backward();
                if (half is HalfType h2)
                    using (Tensor.NoGrad())
                    {
                        foreach (var p in parameters)
                        {
                            flushed += Precision.CountUnderflow(p.Grad!, h2);
                            total += p.Grad!.Size;
                            Precision.RoundInPlace(p.Grad!, h2);
                        }
                        for (int i = 0; i < parameters.Length; i++) parameters[i].CopyFrom(masters![i]);
                    }
                if (scaler is null) opt.Step();
                else scaler.Step(parameters, opt.Step);
                sum += loss.Item();
                n++;
            }
            last = sum / n;
            if (epoch == 1) first = last;
        }
        double test;
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
            test = criterion.Forward(Forward(data.XTest.To(device)), data.YTest.To(device)).Item();
        return new PrecisionRun(name, first, last, test, total == 0 ? 0 : 100.0 * flushed / total, scaler?.SkippedSteps ?? 0, scaler?.Scale ?? 0);
    }
}
