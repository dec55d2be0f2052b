using System.Diagnostics;
using Chapters.Ch20;
using Engine;
using Engine.Functional;
using Engine.Optim;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench cnn`: one training step of exercise 20.4.2's CNN (batch 64, float32, Adam) and its
/// forward pass, the engine on the CPU against PyTorch on the same CPU with the same thread count
/// (bench/cnn_peers.py), best of N for both. Options: --repeat N (default 5), --batch B, --c1/--c2
/// channels, --python PATH.
/// </summary>
public sealed class CnnBench : BenchSuite
{
    public override string Name => "cnn";
    public override string Title => "CNN: the 20.4.2 training step on the CPU vs PyTorch";

    public override int Run(Dictionary<string, string> options)
    {
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "5"));
        int batch = int.Parse(options.GetValueOrDefault("batch", "64"));
        int c1 = int.Parse(options.GetValueOrDefault("c1", CnnMnist.C1.ToString()));
        int c2 = int.Parse(options.GetValueOrDefault("c2", CnnMnist.C2.ToString()));
        int threads = Environment.ProcessorCount;
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads · .NET {Environment.Version} · best of {repeat}");

        var gen = new Generator(0);
        var model = CnnMnist.Model(gen, Device.Cpu, c1, c2);
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);
        using var x = Tensor.Rand([batch, 1, 28, 28], generator: gen);
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => gen.NextInt(10)).ToArray());
        double step = Timing.BestOf(() => CnnMnist.Step(model, optimizer, x, labels), repeat, minSeconds: 0.2) * 1e3;
        double forward = Timing.BestOf(() =>
        {
            using var scope = Tensor.Scope();
            using var _ = Tensor.NoGrad();
            model.Forward(x);
        }, repeat, minSeconds: 0.2) * 1e3;

        var peers = PeerScript.Run(python, "cnn_peers.py", threads, ["--repeat", repeat.ToString(), "--batch", batch.ToString(), "--c1", c1.ToString(), "--c2", c2.ToString()], "install python3-torch", out string? error);
        double? ptStep = PeerScript.Number(peers, "torch_step_ms"), ptForward = PeerScript.Number(peers, "torch_forward_ms");
        Console.WriteLine();
        Console.WriteLine($"{"benchmark (ms, lower better)",-40} {"engine",10} {"PyTorch",10} {"engine/PyTorch",15}");
        Console.WriteLine($"{$"training step, batch {batch}",-40} {step,10:F2} {PeerScript.Fmt(ptStep, "F2"),10} {PeerScript.Ratio(step, ptStep),15}");
        Console.WriteLine($"{$"forward (no grad), batch {batch}",-40} {forward,10:F2} {PeerScript.Fmt(ptForward, "F2"),10} {PeerScript.Ratio(forward, ptForward),15}");
        Console.WriteLine();
        Console.WriteLine($"Model: Conv2d(1,{c1},5,p2)-ReLU-MaxPool2 - Conv2d({c1},{c2},5,p2)-ReLU-MaxPool2 - Linear({c2 * 49},10), float32, 28×28 inputs;");
        Console.WriteLine("step = forward, cross-entropy, zero_grad, backward, Adam (lr 1e-3). Ratios are engine ÷ PyTorch.");
        if (peers is null) Console.WriteLine($"PyTorch missing: {error}");
        else if (peers.Value.TryGetProperty("missing", out var m)) Console.WriteLine($"PyTorch missing: {m.GetString()}");
        else Console.WriteLine($"PyTorch {peers.Value.GetProperty("torch").GetString()}: {peers.Value.GetProperty("torch_threads").GetInt32()} threads, mkldnn {(peers.Value.GetProperty("mkldnn").GetBoolean() ? "available" : "not available")}.");
        return 0;
    }
}
