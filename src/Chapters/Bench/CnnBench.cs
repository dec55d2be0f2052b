using System.Text;
using System.Text.Json;
using Chapters.Ch20;
using Engine;
using Engine.Kernels;
using Engine.Nn;
using Engine.Optim;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench cnn`: one training step of exercise 20.4.2's CNN (batch 64, float32, Adam) and its
/// forward pass, the engine on the CPU against PyTorch on the same CPU with the same thread count
/// (bench/cnn_peers.py). The two sides are measured in alternating rounds (engine, PyTorch, engine, …)
/// and each keeps its best, so a burst of load from other processes hits both alike.
/// Options: --repeat N (runs per round, default 5), --rounds R (default 3), --batch B, --c1/--c2
/// channels, --python PATH; --profile prints the engine's per-op profile of the step instead (<see cref="CnnStepProfile"/>).
/// <para>
/// `chapters bench cnn --device cuda`: the same step on the engine's CUDA backend against PyTorch with
/// cuDNN on the same GPU (TF32 off on both): --steps S timed steps (default 200, after 20 warm-up
/// steps, synchronised at the end), best of --repeat runs (default 3); the epoch-equivalent is 938
/// steps (60 000 MNIST images / 64). Writes bench-cnn-cuda.md to --out DIR (default out). Without a GPU
/// it says so and exits 0 (3 with --require-gpu).
/// </para>
/// </summary>
public sealed class CnnBench : BenchSuite
{
    public override string Name => "cnn";
    public override IReadOnlyList<string> OptionNames => ["device", "repeat", "rounds", "steps", "batch", "c1", "c2", "python", "out", "require-gpu", "profile"];
    public override string Title => "CNN: the 20.4.2 training step on the CPU vs PyTorch";

    /// <summary>Steps of one 20.4.2 epoch: ⌈60 000 / 64⌉.</summary>
    private const int EpochSteps = 938;

    public override int Run(Dictionary<string, string> options)
    {
        if (options.GetValueOrDefault("device", "cpu").StartsWith("cuda", StringComparison.Ordinal))
            return RunCuda(options);
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "5"));
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "3"));
        int batch = int.Parse(options.GetValueOrDefault("batch", "64"));
        int c1 = int.Parse(options.GetValueOrDefault("c1", Ex20_4_2_CnnMnist.C1.ToString()));
        int c2 = int.Parse(options.GetValueOrDefault("c2", Ex20_4_2_CnnMnist.C2.ToString()));
        int threads = Environment.ProcessorCount;
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        if (options.ContainsKey("profile"))
        {
            Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads · load average {Timing.LoadAverage()}");
            CnnStepProfile.Print(batch, c1, c2);
            Console.WriteLine($"Load average after the runs: {Timing.LoadAverage()}.");
            return 0;
        }
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads · .NET {Environment.Version} · best of {rounds} rounds × {repeat} runs · load average {Timing.LoadAverage()}");
        var blas = PeerBlas.Choose(python, "cnn_peers.py", "torch", threads, "install python3-torch libopenblas0-pthread");
        Console.WriteLine($"PyTorch peer: {blas.Description}.");

        var gen = new Generator(0);
        var model = Ex20_4_2_CnnMnist.Model(gen, Device.Cpu, c1, c2);
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);
        using var x = Tensor.Rand([batch, 1, 28, 28], generator: gen);
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => gen.NextInt(10)).ToArray());
        double step = double.MaxValue, forward = double.MaxValue;
        double? ptStep = null, ptForward = null;
        JsonElement? peers = null;
        string? error = null;
        string[] peerArgs = ["--repeat", repeat.ToString(), "--batch", batch.ToString(), "--c1", c1.ToString(), "--c2", c2.ToString()];
        for (int round = 0; round < rounds; round++)
        {
            step = Math.Min(step, Timing.BestOf(() => Ex20_4_2_CnnMnist.Step(model, optimizer, x, labels), repeat, minSeconds: 0.2) * 1e3);
            forward = Math.Min(forward, Timing.BestOf(() =>
            {
                using var scope = Tensor.Scope();
                using var _ = Tensor.NoGrad();
                model.Forward(x);
            }, repeat, minSeconds: 0.2) * 1e3);
            var run = PeerScript.Run(python, "cnn_peers.py", threads, peerArgs, "install python3-torch", out error, blas.Core);
            if (run is null || run.Value.TryGetProperty("missing", out _)) { peers = run; break; }
            peers = run;
            ptStep = Min(ptStep, PeerScript.Number(run, "torch_step_ms"));
            ptForward = Min(ptForward, PeerScript.Number(run, "torch_forward_ms"));
        }
        Console.WriteLine();
        Console.WriteLine($"{"benchmark (ms, lower better)",-40} {"engine",10} {"PyTorch",10} {"engine/PyTorch",15}");
        Console.WriteLine($"{$"training step, batch {batch}",-40} {step,10:F2} {PeerScript.Fmt(ptStep, "F2"),10} {PeerScript.Ratio(step, ptStep),15}");
        Console.WriteLine($"{$"forward (no grad), batch {batch}",-40} {forward,10:F2} {PeerScript.Fmt(ptForward, "F2"),10} {PeerScript.Ratio(forward, ptForward),15}");
        Console.WriteLine();
        Console.WriteLine($"Model: Conv2d(1,{c1},5,p2)-ReLU-MaxPool2 - Conv2d({c1},{c2},5,p2)-ReLU-MaxPool2 - Linear({c2 * 49},10), float32, 28×28 inputs;");
        Console.WriteLine("step = forward, cross-entropy, zero_grad, backward, Adam (lr 1e-3). Ratios are engine ÷ PyTorch.");
        Console.WriteLine($"Load average after the runs: {Timing.LoadAverage()}.");
        if (peers is null) Console.WriteLine($"PyTorch missing: {error}");
        else if (peers.Value.TryGetProperty("missing", out var m)) Console.WriteLine($"PyTorch missing: {m.GetString()}");
        else Console.WriteLine($"PyTorch {peers.Value.GetProperty("torch").GetString()}: {peers.Value.GetProperty("torch_threads").GetInt32()} threads, mkldnn {(peers.Value.GetProperty("mkldnn").GetBoolean() ? "available" : "not available")}.");
        return 0;
    }

    private static double? Min(double? a, double? b) => a is double x && b is double y ? Math.Min(x, y) : a ?? b;

    /// <summary>`bench cnn --device cuda`: engine CUDA vs PyTorch + cuDNN, the table also written as markdown.</summary>
    private int RunCuda(Dictionary<string, string> options)
    {
        if (DeviceRegistry.CudaDeviceCount == 0)
        {
            Console.WriteLine($"bench cnn --device cuda: no GPU ({DeviceRegistry.CudaUnavailableReason}); nothing to measure.");
            return options.ContainsKey("require-gpu") ? 3 : 0;
        }
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "3"));
        int steps = int.Parse(options.GetValueOrDefault("steps", "200"));
        int batch = int.Parse(options.GetValueOrDefault("batch", "64"));
        int c1 = int.Parse(options.GetValueOrDefault("c1", Ex20_4_2_CnnMnist.C1.ToString()));
        int c2 = int.Parse(options.GetValueOrDefault("c2", Ex20_4_2_CnnMnist.C2.ToString()));
        string python = options.GetValueOrDefault("python", "python3");
        var gpu = Device.Parse(options["device"]);
        var backend = (CudaBackend)DeviceRegistry.Backend(gpu);
        backend.AllowTf32 = false;
        var info = CudaDeviceInfo.Query(gpu.Index);
        var report = new StringBuilder();
        void Line(string s = "")
        {
            Console.WriteLine(s);
            report.AppendLine(s);
        }
        Line("# CNN: the 20.4.2 training step on the GPU, engine CUDA vs PyTorch + cuDNN");
        Line();
        Line($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {info.Name} · driver CUDA {CudaRuntime.DriverVersion} · {steps} timed steps after 20 warm-up steps, best of {repeat} runs");
        Line();

        var gen = new Generator(0);
        var model = Ex20_4_2_CnnMnist.Model(gen, gpu, c1, c2);
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);
        using var xCpu = Tensor.Rand([batch, 1, 28, 28], generator: gen);
        using var x = xCpu.To(gpu, copy: true);
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => gen.NextInt(10)).ToArray(), null, gpu);
        CheckOnDevice(model, x, labels, gpu);
        double stepMs = TimeSteps(() => Ex20_4_2_CnnMnist.Step(model, optimizer, x, labels), backend, steps, repeat);
        CheckOnDevice(model, x, labels, gpu); // the gradients exist now: they must live on the GPU too
        double forwardMs = TimeSteps(() =>
        {
            using var scope = Tensor.Scope();
            using var _ = Tensor.NoGrad();
            model.Forward(x);
        }, backend, steps, repeat);

        var peers = PeerScript.Run(python, "cnn_peers.py", Environment.ProcessorCount,
            ["--device", "cuda", "--steps", steps.ToString(), "--repeat", repeat.ToString(), "--batch", batch.ToString(), "--c1", c1.ToString(), "--c2", c2.ToString()],
            "PyTorch with CUDA", out string? error);
        string? missing = peers is null ? error : peers.Value.TryGetProperty("missing", out var m) ? m.GetString() : null;
        double? ptStep = missing is null ? PeerScript.Number(peers, "torch_step_ms") : null;
        double? ptForward = missing is null ? PeerScript.Number(peers, "torch_forward_ms") : null;

        Line("| benchmark | engine CUDA | PyTorch + cuDNN | engine ÷ PyTorch |");
        Line("|---|---:|---:|---:|");
        Line($"| training step, batch {batch} (ms) | {stepMs:F3} | {PeerScript.Fmt(ptStep, "F3")} | {PeerScript.Ratio(stepMs, ptStep)} |");
        Line($"| epoch-equivalent, {EpochSteps} steps (s) | {stepMs * EpochSteps / 1e3:F2} | {PeerScript.Fmt(ptStep * EpochSteps / 1e3, "F2")} | {PeerScript.Ratio(stepMs, ptStep)} |");
        Line($"| forward (no grad), batch {batch} (ms) | {forwardMs:F3} | {PeerScript.Fmt(ptForward, "F3")} | {PeerScript.Ratio(forwardMs, ptForward)} |");
        Line();
        Line($"Model: Conv2d(1,{c1},5,p2)-ReLU-MaxPool2 - Conv2d({c1},{c2},5,p2)-ReLU-MaxPool2 - Linear({c2 * 49},10), float32, one fixed");
        Line("batch of random 28×28 images resident on the GPU. Step = forward, cross-entropy, zero_grad, backward, Adam (lr 1e-3),");
        Line("then the loss is read back to the host (loss.Item() / loss.item(), as the 20.4.2 training loop does), which");
        Line("synchronises every step on both sides. TF32 is off on both (engine cuBLAS math mode; torch.backends.cuda.matmul.allow_tf32");
        Line("and torch.backends.cudnn.allow_tf32 = False). Ratios are engine ÷ PyTorch (lower is better for the engine).");
        Line("Every parameter, gradient, input and output was checked to live on the GPU (the engine runs each op on the backend of its");
        Line("tensors' device and has no host fallback).");
        Line(missing is null && peers is JsonElement p
            ? $"PyTorch {p.GetProperty("torch").GetString()}, cuDNN {p.GetProperty("cudnn").GetRawText()}, on {p.GetProperty("device").GetString()}, cudnn.benchmark {p.GetProperty("cudnn_benchmark").GetRawText()}."
            : $"PyTorch: not measured ({missing}).");
        string outDir = options.GetValueOrDefault("out", "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "bench-cnn-cuda.md"), report.ToString());
        Console.WriteLine($"(written to {Path.Combine(outDir, "bench-cnn-cuda.md")})");
        return 0;
    }

    /// <summary>Best ms per call over <paramref name="repeat"/> runs of <paramref name="steps"/> calls, after 20 warm-up calls; each run ends synchronised.</summary>
    private static double TimeSteps(Action step, IBackend backend, int steps, int repeat)
    {
        for (int i = 0; i < 20; i++) step();
        backend.Synchronize();
        double best = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) step();
            backend.Synchronize();
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / steps);
        }
        return best;
    }

    /// <summary>Throws unless the parameters (and their gradients, once they exist), the batch and the model's output are on <paramref name="device"/>.</summary>
    internal static void CheckOnDevice(Module model, Tensor x, Tensor labels, Device device)
    {
        void Check(Tensor t, string what)
        {
            if (t.Device != device)
                throw new InvalidOperationException($"bench cnn --device {device}: {what} is on {t.Device}, expected {device}; the GPU benchmark must not run on the CPU.");
        }
        Check(x, "the input batch");
        Check(labels, "the labels");
        foreach (var (name, p) in model.NamedParameters())
        {
            Check(p, $"parameter {name}");
            if (p.Grad is { } g) Check(g, $"the gradient of {name}");
        }
        using var scope = Tensor.Scope();
        using var _ = Tensor.NoGrad();
        Check(model.Forward(x), "the model output");
    }
}
