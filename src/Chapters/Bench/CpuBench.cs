using System.Diagnostics;
using System.Text.Json;
using Engine;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench cpu`: SGEMM GFLOP/s (256³, 1024³) and one TwoLayerNet training step, the engine
/// against NumPy (OpenBLAS) and PyTorch measured in the same run on the same CPU with the same
/// thread count, best of N for everyone, with the median and the per-round ratios beside it; then where the
/// TwoLayerNet step's time goes (<see cref="TwoLayerNetStepProfile"/>). Options: --rounds R (default 5: engine and peers alternate),
/// --repeat N (runs per turn, default 10), --python PATH.
/// </summary>
public sealed class CpuBench : BenchSuite
{
    public override string Name => "cpu";
    public override IReadOnlyList<string> OptionNames => ["repeat", "rounds", "python"];
    public override string Title => "CPU: SGEMM and a TwoLayerNet training step vs NumPy and PyTorch";

    public override int Run(Dictionary<string, string> options)
    {
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "10"));
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "5"));
        int threads = Environment.ProcessorCount;
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        Console.WriteLine($"{Title}");
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {CpuName()} · {threads} threads · .NET {Environment.Version} · GEMM kernel {Gemm.Best}{(Gemm.FullWidth512 ? " (512-bit FMAs at full width)" : "")} · best of {rounds} rounds × {repeat} runs");
        const string hint = "install python3-numpy python3-torch libopenblas0-pthread";
        var blas = PeerBlas.Choose(python, "cpu_peers.py", "numpy", threads, hint);
        Console.WriteLine($"NumPy peer: {blas.Description}.");

        // Engine and peers take turns benchmark by benchmark (the peer process stays up between turns),
        // round after round, so load from other processes hits both alike. Each turn is the best of
        // --repeat runs after 0.5 s of warm-up; the table shows the best and the median of the rounds,
        // and the ratio of the best numbers with the range of the per-round ratios (same-round turns).
        string loadBefore = Timing.LoadAverage();
        var engine = new Samples();
        var peer = new Samples();
        using var server = PeerServer.Start(python, "cpu_peers.py", threads, hint, out string? peerError, blas.Core);
        JsonElement? peers = server?.Facts;
        var engineRuns = new (string Key, Func<double> Run)[]
        {
            ("sgemm256", () => EngineSgemm(256, repeat)),
            ("sgemm1024", () => EngineSgemm(1024, repeat)),
            ("scratch", () => TwoLayerNetStep.ScratchMs(repeat)),
            ("autograd", () => TwoLayerNetStep.AutogradMs(repeat)),
        };
        string[] peerKeys = ["sgemm256", "sgemm1024", "numpy_step", "torch_step"];
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < engineRuns.Length; i++)
            {
                engine.Add(engineRuns[i].Key, engineRuns[i].Run());
                if (server?.Measure(peerKeys[i], repeat) is double v) peer.Add(peerKeys[i], v);
            }
            Console.Error.WriteLine($"bench cpu: round {round + 1}/{rounds} done");
        }
        Console.WriteLine($"load average before → after: {loadBefore} → {Timing.LoadAverage()} (other processes on these {threads} cores)");

        Console.WriteLine();
        Console.WriteLine("Each number: best / median of the rounds. Ratios: best ÷ best [lowest–highest ratio of one round's numbers].");
        Console.WriteLine($"{"benchmark",-34} {"engine",15} {"NumPy",15} {"PyTorch",15} {"engine/NumPy",21} {"engine/PyTorch",21}");
        foreach (int n in new[] { 256, 1024 })
        {
            string key = $"sgemm{n}";
            Console.WriteLine($"{$"SGEMM {n}³ (GFLOP/s, higher better)",-34} {engine.Cell(key, "F1", true),15} {peer.Cell(key, "F1", true),15} {"—",15} {Samples.Ratio(engine, key, peer, key, true),21} {"—",21}");
        }
        // Per-round pairs: the scratch step pairs with NumPy's and the autograd step with PyTorch's
        // (each measured right after it); the cross pairs are one turn further apart.
        foreach (var (key, label) in new[] { ("scratch", "TwoLayerNet step, ch24 (ms)"), ("autograd", "784-50-10 step, autograd (ms)") })
            Console.WriteLine($"{label,-34} {engine.Cell(key, "F3", false),15} {peer.Cell("numpy_step", "F3", false),15} {peer.Cell("torch_step", "F3", false),15} " +
                $"{Samples.Ratio(engine, key, peer, "numpy_step", false),21} {Samples.Ratio(engine, key, peer, "torch_step", false),21}");
        Console.WriteLine();
        Console.WriteLine("SGEMM: float32 n×n·n×n, 2n³ flops per call (the engine through Tensor.MatMul, NumPy through np.matmul).");
        Console.WriteLine("Training steps: 784-50-10 ReLU net, batch 100, float32, SGD lr 0.1. TwoLayerNet (ch24): optimizer.Update(net.Params,");
        Console.WriteLine("net.Gradient(x, t)), the layers' Forward/Backward; NumPy does the same DLfS layers by hand. Autograd: F.CrossEntropy(relu(x·W1+b1)");
        Console.WriteLine("·W2+b2), Backward, SgdUpdate; PyTorch does the same with torch autograd. x needs no gradient, so none of them computes dx.");
        Console.WriteLine("Ratios are engine ÷ peer. Other processes share this CPU: compare only numbers of one run, and trust a ratio whose range is narrow.");
        if (peers is null) Console.WriteLine($"Peers missing: {peerError}");
        else
        {
            if (peers.Value.TryGetProperty("numpy_missing", out var nm)) Console.WriteLine($"NumPy missing: {nm.GetString()}");
            else
            {
                Console.WriteLine($"NumPy {peers.Value.GetProperty("numpy").GetString()}: {PeerBlas.Kernel(peers.Value)} in the timed runs.");
                var set = new[] { "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE" }.Where(v => Environment.GetEnvironmentVariable(v) is not null).ToList();
                if (set.Count > 0)
                    Console.WriteLine($"{string.Join(" and ", set.Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}"))} set in this environment: replaced for the peer runs by the choice above.");
            }
            if (peers.Value.TryGetProperty("missing", out var tm)) Console.WriteLine($"PyTorch missing: {tm.GetString()}");
            else Console.WriteLine($"PyTorch {peers.Value.GetProperty("torch").GetString()}: {peers.Value.GetProperty("torch_threads").GetInt32()} threads.");
        }
        TwoLayerNetStepProfile.Print(Math.Max(20, 2 * repeat));
        return 0;
    }

    /// <summary>Engine SGEMM GFLOP/s for n×n·n×n through Tensor.MatMul (output allocated each call, as NumPy does).</summary>
    private static double EngineSgemm(int n, int repeat)
    {
        var gen = new Generator(1);
        using var a = Tensor.Randn([n, n], generator: gen);
        using var b = Tensor.Randn([n, n], generator: gen);
        double sec = Timing.BestOf(() => a.MatMul(b).Dispose(), repeat);
        return 2.0 * n * n * n / sec / 1e9;
    }

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException) { return "unknown CPU"; }
    }
}
