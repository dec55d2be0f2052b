using System.Text.Json;
using Chapters.Ch21;
using Engine;
using Engine.Functional;
using Engine.Layers;
using Engine.Optim;
using Nn = Engine.Nn;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench keras`: one training step (batch 64, float32, Adam) of the 21.4.6 convnet three ways —
/// the Keras-style layers API (channels-last, <see cref="Sequential.TrainOnBatch"/>), the same model written
/// with nn modules (NCHW, forward/cross-entropy/backward/Step), and PyTorch on the same CPU with the same
/// threads (bench/keras_peers.py) — measured in alternating rounds, best of each. The epoch column is
/// 938 steps (⌈60 000 / 64⌉) times the step; then a per-op profile of the step (<see cref="ConvStepProfile"/>). Options: --repeat N (default 5), --rounds R (default 3),
/// --batch B, --python PATH, --full-epoch (also times one real Fit epoch over MNIST with the layers API).
/// </summary>
public sealed class KerasBench : BenchSuite
{
    public override string Name => "keras";
    public override string Title => "Keras layers API: the 21.4.6 training step vs nn modules vs PyTorch (CPU)";
    public override IReadOnlyList<string> OptionNames => ["repeat", "rounds", "batch", "python", "full-epoch"];

    public override int Run(Dictionary<string, string> options)
    {
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "5"));
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "3"));
        int batch = int.Parse(options.GetValueOrDefault("batch", "64"));
        int threads = Environment.ProcessorCount;
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads · .NET {Environment.Version} · best of {rounds} rounds × {repeat} runs · load average {Timing.LoadAverage()} (a shared machine: other jobs were running)");

        var gen = new Generator(0);
        var keras = Ex21_4_6_LayersConvnet.Build(seed: 0);
        keras.Compile(new Adam(lr: 1e-3, eps: 1e-7), Losses.CategoricalCrossentropy);
        var (conv1, conv2, fc) = (new Nn.Conv2d(1, 8, 5, generator: gen), new Nn.Conv2d(8, 16, 5, generator: gen), new Nn.Linear(256, 10, generator: gen));
        CopyWeights(keras, conv1, conv2, fc);
        var nn = new Nn.Sequential(conv1, new Nn.ReLU(), new Nn.MaxPool2d(2), conv2, new Nn.ReLU(), new Nn.MaxPool2d(2), new Nn.Flatten(), fc);
        var nnOpt = new Adam(nn.Parameters(), lr: 1e-3, eps: 1e-7);
        using var xNhwc = Tensor.Rand([batch, 28, 28, 1], generator: gen);
        using var xNchw = xNhwc.Reshape(batch, 1, 28, 28);
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => gen.NextInt(10)).ToArray());
        using var oneHot = labels.OneHot(10);

        double kerasMs = double.MaxValue, nnMs = double.MaxValue;
        double? torchMs = null;
        JsonElement? peers = null;
        string? error = null;
        double kerasLoss0, nnLoss0;
        using (Tensor.NoGrad())
        using (Tensor.Scope())
        {
            kerasLoss0 = keras.LossOf(xNhwc, oneHot, training: true).Loss.Item();
            nnLoss0 = F.CrossEntropy(nn.Forward(xNchw), oneHot).Item();
        }
        void NnStep()
        {
            using var scope = Tensor.Scope();
            var loss = F.CrossEntropy(nn.Forward(xNchw), oneHot);
            nnOpt.ZeroGrad();
            loss.Backward();
            nnOpt.Step();
            loss.Item();
        }
        for (int round = 0; round < rounds; round++)
        {
            // Each engine path goes first in every other round (the first one timed may meet a colder machine).
            for (int turn = 0; turn < 2; turn++)
                if ((turn + round) % 2 == 0) kerasMs = Math.Min(kerasMs, Timing.BestOf(() => keras.TrainOnBatch(xNhwc, oneHot), repeat, minSeconds: 0.2) * 1e3);
                else nnMs = Math.Min(nnMs, Timing.BestOf(NnStep, repeat, minSeconds: 0.2) * 1e3);
            var run = PeerScript.Run(python, "keras_peers.py", threads, ["--repeat", repeat.ToString(), "--batch", batch.ToString()], "install python3-torch", out error);
            peers = run;
            if (run is null || run.Value.TryGetProperty("missing", out _)) break;
            double? t = PeerScript.Number(run, "torch_step_ms");
            torchMs = torchMs is double a && t is double b ? Math.Min(a, b) : t ?? torchMs;
        }
        const int epochSteps = 938;
        Console.WriteLine();
        Console.WriteLine($"{"training step, batch " + batch,-34} {"ms/step",9} {"s/epoch",9} {"÷ PyTorch",10} {"÷ nn modules",13}");
        Row("Keras layers API (NHWC)", kerasMs);
        Row("nn modules (NCHW)", nnMs);
        if (torchMs is double tm) Row("PyTorch " + peers!.Value.GetProperty("torch").GetString(), tm);
        else Console.WriteLine($"PyTorch missing: {error ?? (peers?.TryGetProperty("missing", out var m) == true ? m.GetString() : "no result")}");
        Console.WriteLine();
        Console.WriteLine("Step = forward, softmax cross-entropy on one-hot targets, zero grads, backward, Adam (lr 1e-3, ε 1e-7; one fused op per");
        Console.WriteLine("weight: Keras's form for the layers API, PyTorch's for nn modules). Same batch; the nn modules start from the layers");
        Console.WriteLine($"model's initial weights (first loss {kerasLoss0:F6} layers API, {nnLoss0:F6} nn modules); rounds alternate which goes first.");
        Console.WriteLine($"s/epoch = {epochSteps} steps × ms/step (60,000 MNIST images at batch 64). Load average after the runs: {Timing.LoadAverage()}.");
        ConvStepProfile.Print(batch);
        if (options.ContainsKey("full-epoch")) TimeEpoch(batch);
        return 0;

        void Row(string what, double ms) => Console.WriteLine(
            $"{what,-34} {ms,9:F2} {ms * epochSteps / 1000,9:F1} {PeerScript.Ratio(ms, torchMs),10} {PeerScript.Ratio(ms, nnMs),13}");
    }

    /// <summary>
    /// Gives the nn modules the layers model's weights, so both compute the same function: conv kernels
    /// [kh, kw, C, F] → [F, C, kh, kw]; the dense kernel [256, 10] with rows in Keras's flatten order
    /// (h, w, c) of [4, 4, 16] → Linear's [10, 256] with columns in nn.Flatten's order (c, h, w).
    /// </summary>
    private static void CopyWeights(Sequential keras, Nn.Conv2d conv1, Nn.Conv2d conv2, Nn.Linear fc)
    {
        var convs = keras.Layers.OfType<Conv2D>().ToArray();
        var dense = keras.Layers.OfType<Dense>().Single();
        using var noGrad = Tensor.NoGrad();
        using var scope = Tensor.Scope();
        conv1.Weight.CopyFrom(convs[0].Kernel.Permute(3, 2, 0, 1));
        conv1.Bias!.CopyFrom(convs[0].Bias!);
        conv2.Weight.CopyFrom(convs[1].Kernel.Permute(3, 2, 0, 1));
        conv2.Bias!.CopyFrom(convs[1].Bias!);
        fc.Weight.CopyFrom(dense.Kernel.Reshape(4, 4, 16, 10).Permute(3, 2, 0, 1));
        fc.Bias!.CopyFrom(dense.Bias!);
    }

    private static void TimeEpoch(int batch)
    {
        var (train, _) = Engine.Data.Mnist.Load(normalize: true, flatten: false, oneHot: true);
        var (x, y) = Ex21_4_6_LayersConvnet.Images(train);
        var model = Ex21_4_6_LayersConvnet.Build(seed: 0);
        model.Compile(new Adam(lr: 1e-3, eps: 1e-7), Losses.CategoricalCrossentropy, ["accuracy"]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        model.Fit(x, y, epochs: 1, batchSize: batch, verbose: 0);
        Console.WriteLine($"one real Fit epoch (60,000 images, batch {batch}, shuffled, with accuracy): {clock.Elapsed.TotalSeconds:F1} s, load average {Timing.LoadAverage()}");
    }
}
