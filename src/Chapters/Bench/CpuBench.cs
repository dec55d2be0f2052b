using System.Diagnostics;
using System.Text.Json;
using Engine;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench cpu`: SGEMM GFLOP/s (256³, 1024³) and one TwoLayerNet training step, the engine
/// against NumPy (OpenBLAS) and PyTorch measured in the same run on the same CPU with the same
/// thread count, best of N for everyone. Options: --rounds R (default 3: engine and peers alternate),
/// --repeat N (runs per round, default 5), --python PATH.
/// </summary>
public sealed class CpuBench : BenchSuite
{
    public override string Name => "cpu";
    public override IReadOnlyList<string> OptionNames => ["repeat", "rounds", "python"];
    public override string Title => "CPU: SGEMM and a TwoLayerNet training step vs NumPy and PyTorch";

    public override int Run(Dictionary<string, string> options)
    {
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "5"));
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "3"));
        int threads = Environment.ProcessorCount;
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        Console.WriteLine($"{Title}");
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {CpuName()} · {threads} threads · .NET {Environment.Version} · GEMM kernel {Gemm.Best} · best of {rounds} rounds × {repeat} runs");
        const string hint = "install python3-numpy python3-torch libopenblas0-pthread";
        var blas = PeerBlas.Choose(python, "cpu_peers.py", "numpy", threads, hint);
        Console.WriteLine($"NumPy peer: {blas.Description}.");

        // Rounds alternate engine and peers so that load from other processes hits both alike;
        // every number is the best over all rounds (max GFLOP/s, min ms).
        string loadBefore = LoadAverage();
        var engine = new Dictionary<string, double>();
        var peer = new Dictionary<string, double>();
        JsonElement? peers = null;
        string? peerError = null;
        for (int round = 0; round < rounds; round++)
        {
            foreach (int n in new[] { 256, 1024 }) Keep(engine, $"sgemm{n}", EngineSgemm(n, repeat), higherBetter: true);
            Keep(engine, "scratch", TwoLayerNetStep.ScratchMs(repeat), higherBetter: false);
            Keep(engine, "autograd", TwoLayerNetStep.AutogradMs(repeat), higherBetter: false);
            var p = PeerScript.Run(python, "cpu_peers.py", threads, ["--repeat", repeat.ToString()], hint, out peerError, blas.Core);
            if (p is null) break;
            peers = p;
            foreach (int n in new[] { 256, 1024 })
                if (PeerScript.Number(p, "sgemm", n.ToString()) is double g) Keep(peer, $"sgemm{n}", g, higherBetter: true);
            if (PeerScript.Number(p, "numpy_step_ms") is double np) Keep(peer, "numpy_step", np, higherBetter: false);
            if (PeerScript.Number(p, "torch_step_ms") is double pt) Keep(peer, "torch_step", pt, higherBetter: false);
            Console.Error.WriteLine($"bench cpu: round {round + 1}/{rounds} done");
        }
        Console.WriteLine($"load average before → after: {loadBefore} → {LoadAverage()} (other processes on these {threads} cores)");
        double? Peer(string key) => peer.TryGetValue(key, out var v) ? v : null;

        Console.WriteLine();
        Console.WriteLine($"{"benchmark",-34} {"engine",10} {"NumPy",10} {"PyTorch",10} {"engine/NumPy",13} {"engine/PyTorch",15}");
        foreach (int n in new[] { 256, 1024 })
        {
            double e = engine[$"sgemm{n}"];
            double? np = Peer($"sgemm{n}");
            Console.WriteLine($"{$"SGEMM {n}³ (GFLOP/s, higher better)",-34} {e,10:F1} {PeerScript.Fmt(np, "F1"),10} {"—",10} {PeerScript.Ratio(e, np),13} {"—",15}");
        }
        foreach (var (key, label) in new[] { ("scratch", "TwoLayerNet step, ch24 (ms)"), ("autograd", "784-50-10 step, autograd (ms)") })
        {
            double e = engine[key];
            double? np = Peer("numpy_step"), pt = Peer("torch_step");
            Console.WriteLine($"{label,-34} {e,10:F3} {PeerScript.Fmt(np, "F3"),10} {PeerScript.Fmt(pt, "F3"),10} {PeerScript.Ratio(e, np),13} {PeerScript.Ratio(e, pt),15}");
        }
        Console.WriteLine();
        Console.WriteLine("SGEMM: float32 n×n·n×n, 2n³ flops per call (the engine through Tensor.MatMul, NumPy through np.matmul).");
        Console.WriteLine("Training steps: 784-50-10 ReLU net, batch 100, float32, SGD lr 0.1. TwoLayerNet (ch24): optimizer.Update(net.Params,");
        Console.WriteLine("net.Gradient(x, t)), the layers' Forward/Backward; NumPy does the same DLfS layers by hand. Autograd: F.CrossEntropy(relu(x·W1+b1)");
        Console.WriteLine("·W2+b2), Backward, SgdUpdate; PyTorch does the same with torch autograd (x needs no gradient, so neither computes dx).");
        Console.WriteLine("Ratios are engine ÷ peer. Other processes share this CPU: every number is the best of all rounds and runs.");
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

    private static void Keep(Dictionary<string, double> best, string key, double value, bool higherBetter)
    {
        if (!best.TryGetValue(key, out var old) || (higherBetter ? value > old : value < old)) best[key] = value;
    }

    /// <summary>The 1-minute load average from /proc/loadavg ("?" elsewhere).</summary>
    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
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
