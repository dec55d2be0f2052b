using System.Diagnostics;
using Chapters.Ch23;
using Engine;
using Engine.Vision;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench style`: one evaluation of the 23.3 loss and its gradient — forward through the ResNet18 to
/// the content and style layers, the three losses, backward to the pixels — at --height (default 400), the
/// engine against PyTorch 1.13 on the same CPU, same thread count, same weights and pixels (the engine writes
/// them to out/bench-style.safetensors; bench/style_peer.py rebuilds the graph with torch.nn.functional).
/// Best of --repeat evaluations (default 20: a few runs catch the JIT mid-way) after one warm-up on each side. Both losses are printed as a check
/// that the two computed the same thing.
/// </summary>
public sealed class StyleBench : BenchSuite
{
    public override string Name => "style";
    public override string Title => "Style transfer: one loss + gradient evaluation (23.3) on the CPU vs PyTorch";
    public override IReadOnlyList<string> OptionNames => ["height", "repeat", "python"];

    public override int Run(Dictionary<string, string> options)
    {
        int height = int.Parse(options.GetValueOrDefault("height", "400"));
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "20"));
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        int threads = Environment.ProcessorCount;
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads · .NET {Environment.Version} · best of {repeat} after a warm-up · load average {Timing.LoadAverage()}");

        var net = new ResNet18StyleBackbone(Device.Cpu);
        var contentPath = Engine.Data.DataFolder.GetFile(Path.Combine("images", Ex23_3_NeuralStyleTransfer.DefaultContent + ".jpg"), null, "bench style");
        var stylePath = Engine.Data.DataFolder.GetFile(Path.Combine("images", Ex23_3_NeuralStyleTransfer.DefaultStyle + ".jpg"), null, "bench style");
        var (contentRgb, h, w) = StyleImages.Load(contentPath, ResNet18StyleBackbone.FitSize(height), fitWidth: ResNet18StyleBackbone.FitSize);
        var (styleRgb, _, _) = StyleImages.Load(stylePath, h, w);
        var x = net.Preprocess(contentRgb, h, w);
        using var content = Tensor.FromDoubles(x, [1, 3, h, w], DType.Float32, Device.Cpu);
        using var style = Tensor.FromDoubles(net.Preprocess(styleRgb, h, w), [1, 3, h, w], DType.Float32, Device.Cpu);
        string[] layers = [ResNet18StyleBackbone.ContentLayer, .. ResNet18StyleBackbone.StyleLayers];
        using var loss = new StyleTransferLoss(img => net.Features(img, layers), ResNet18StyleBackbone.ContentLayer, ResNet18StyleBackbone.StyleLayers, content, style);

        // The notebook's first evaluation: at the content image (PyTorch evaluates there too).
        var start = x;
        double engineLoss = loss.LossAndGradient(start).Value, best = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var watch = Stopwatch.StartNew();
            loss.LossAndGradient(start);
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }

        string profile = Profile(net.Model, () => loss.LossAndGradient(start));

        Directory.CreateDirectory("out");
        string file = Path.GetFullPath(Path.Combine("out", "bench-style.safetensors"));
        StyleExport.Save(file, net.Model, content, style, new Dictionary<string, object>
        {
            ["content_layer"] = ResNet18StyleBackbone.ContentLayer,
            ["style_layers"] = ResNet18StyleBackbone.StyleLayers,
            ["content_weight"] = loss.ContentWeight, ["style_weight"] = loss.StyleWeight, ["tv_weight"] = loss.TvWeight,
        });
        var peer = PeerScript.Run(python, "style_peer.py", threads, ["--file", file, "--repeat", repeat.ToString()], "install python3-torch", out var error);
        double? ptMs = PeerScript.Number(peer, "torch_eval_ms"), ptLoss = PeerScript.Number(peer, "loss");

        Console.WriteLine();
        Console.WriteLine($"{"benchmark (ms, lower better)",-52} {"engine",10} {"PyTorch",10} {"engine/PyTorch",15}");
        Console.WriteLine($"{$"loss + gradient, image {h}×{w}",-52} {best,10:F0} {PeerScript.Fmt(ptMs, "F0"),10} {PeerScript.Ratio(best, ptMs),15}");
        Console.WriteLine();
        Console.WriteLine(profile);
        Console.WriteLine($"Loss at the content image: engine {engineLoss:E6}, PyTorch {PeerScript.Fmt(ptLoss, "E6")} (float32 both).");
        if (error is not null) Console.WriteLine($"PyTorch peer: {error}");
        else if (peer is { } p && p.TryGetProperty("missing", out var why)) Console.WriteLine($"PyTorch peer: {why}");
        Console.WriteLine("The machine is shared: other processes load it while this runs; compare the two columns of one run, not runs.");
        Console.WriteLine($"Load average after the runs: {Timing.LoadAverage()}.");
        return 0;
    }

    /// <summary>
    /// One more evaluation with every backbone node timed forward (by ONNX operator) and every autograd node
    /// backward (by op): milliseconds per kind, largest first, and the rest (losses, bookkeeping) as "other".
    /// </summary>
    private static string Profile(Engine.IO.Onnx.OnnxModel model, Action evaluate)
    {
        var parts = new Dictionary<string, double>();
        model.NodeTimer = (node, s) => parts[node.OpType] = parts.GetValueOrDefault(node.OpType) + s;
        Autograd.BackwardTimer = (name, s) => parts[name + " backward"] = parts.GetValueOrDefault(name + " backward") + s;
        var watch = Stopwatch.StartNew();
        try { evaluate(); }
        finally
        {
            model.NodeTimer = null;
            Autograd.BackwardTimer = null;
        }
        double total = watch.Elapsed.TotalSeconds, other = total - parts.Values.Sum();
        var lines = parts.OrderByDescending(kv => kv.Value).Where(kv => kv.Value >= 0.0005).Select(kv => $"{kv.Key} {kv.Value * 1e3:F1}");
        return $"Engine, one profiled evaluation {total * 1e3:F0} ms (ms): {string.Join(", ", lines)}, other {other * 1e3:F1}.";
    }
}
