using System.Globalization;
using Engine;
using Tensor = Engine.Tensor;
using Engine.IO.Onnx;
using Engine.IO.Onnx.Proto;
using Engine.Vision;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench resnet18`: the pretrained ResNet18 (ONNX) forward pass, float32, batch 1 and 8, on the CPU:
/// the engine (BatchNormalization folded into the convolutions, <see cref="OnnxModel.FoldBatchNorm"/>; and
/// the graph as imported, for comparison), ONNX Runtime's CPU provider (intra-op threads = the engine's,
/// i.e. the processor count) in the same process, in alternating rounds so that load from other processes
/// hits them alike, each side keeping its best; then PyTorch 1.13 (bench/resnet18_peer.py, same threads)
/// on the same weights and inputs, which the engine exports to out/bench-resnet18.safetensors with the graph.
/// Checks that all give the same features and shows where the engine's time goes (seconds per operator
/// type, one profiled forward at each batch size; each Conv node beside ONNX Runtime's, <see cref="ConvNodeTimes"/>; at the largest batch, each conv geometry's F.Conv2d beside
/// its im2col and GEMM alone, <see cref="ConvParts"/>). Options: --repeat N (runs per round, default 5),
/// --rounds R (default 8: fewer rounds catch the JIT and the load mid-way), --batches 1,8, --python PATH (default /usr/bin/python3).
/// </summary>
public sealed class ResNet18Bench : BenchSuite
{
    public override string Name => "resnet18";
    public override string Title => "ResNet18 (ONNX) forward on the CPU: engine vs ONNX Runtime vs PyTorch";
    public override IReadOnlyList<string> OptionNames => ["repeat", "rounds", "batches", "python"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public override int Run(Dictionary<string, string> options)
    {
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "5"), Inv);
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "8"), Inv);
        var batches = options.GetValueOrDefault("batches", "1,8").Split(',').Select(b => int.Parse(b, Inv)).ToArray();
        string python = options.GetValueOrDefault("python", "/usr/bin/python3");
        int threads = Environment.ProcessorCount;
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads (engine, ONNX Runtime, PyTorch) · .NET {Environment.Version} · "
            + $"best of {rounds} rounds × {repeat} runs · load average {Timing.LoadAverage()} (other processes share this machine)");

        var model = ResNet18Onnx.Load();
        model.CheckInputShapes = false;
        var folded = model.FoldBatchNorm();
        using var options_ = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        byte[] onnx = AnyBatch(File.ReadAllBytes(ResNet18Onnx.ModelPath));
        using var session = new InferenceSession(onnx, options_);
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, graph optimisations on (it folds BatchNormalization into Conv).");
        int foldedBn = model.Nodes.Count(n => n.OpType == "BatchNormalization") - folded.Nodes.Count(n => n.OpType == "BatchNormalization");
        Console.WriteLine($"Engine: {folded.Nodes.Count} nodes after folding {foldedBn} BatchNormalization nodes into their Conv ({model.Nodes.Count} as imported).");

        var rows = new List<(int Batch, double Engine, double Unfolded, double Ort, double DiffOrt, double DiffUnfolded)>();
        var exported = new List<KeyValuePair<string, Tensor>>();
        var profiles = new List<string>();
        var convParts = new List<string>();
        var nodeTimes = new List<string>();
        foreach (int batch in batches)
        {
            var x = Tensor.Rand([batch, 3, 224, 224], -120, 135, generator: new Generator(22));
            var ortInput = new DenseTensor<float>(x.ToArray<float>(), [batch, 3, 224, 224]);
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(ResNet18Onnx.InputName, ortInput) };
            float[] Ort()
            {
                using var r = session.Run(inputs);
                return r.First().AsTensor<float>().ToArray();
            }
            float[] Engine(OnnxModel m)
            {
                using var noGrad = Tensor.NoGrad();
                using var y = m.Forward(x);
                return y.ToArray<float>();
            }
            double engineMs = double.MaxValue, unfoldedMs = double.MaxValue, ortMs = double.MaxValue;
            for (int round = 0; round < rounds; round++)
            {
                engineMs = Math.Min(engineMs, Timing.BestOf(() => Engine(folded), repeat, minSeconds: 0, warmUpSeconds: 0) * 1e3);
                ortMs = Math.Min(ortMs, Timing.BestOf(() => Ort(), repeat, minSeconds: 0, warmUpSeconds: 0) * 1e3);
                unfoldedMs = Math.Min(unfoldedMs, Timing.BestOf(() => Engine(model), repeat, minSeconds: 0, warmUpSeconds: 0) * 1e3);
            }
            var a = Engine(folded);
            var b = Ort();
            var u = Engine(model);
            rows.Add((batch, engineMs, unfoldedMs, ortMs, RelDiff(a, b), RelDiff(u, b)));
            exported.Add(new($"__x{batch}__", x));
            exported.Add(new($"__y{batch}__", Tensor.FromArray(a, [batch, 512, 1, 1])));
            profiles.Add(Profile(folded, x, "BN folded"));
            profiles.Add(Profile(model, x, "as imported"));
            nodeTimes.AddRange(ConvNodeTimes.Table(folded, onnx, ResNet18Onnx.InputName, x, threads, repeat * 2).Append(""));
            if (batch == batches.Max()) convParts = ConvParts.Table(folded, x, repeat).ToList();
        }

        Directory.CreateDirectory("out");
        string file = Path.GetFullPath(Path.Combine("out", "bench-resnet18.safetensors"));
        OnnxGraphExport.Save(file, model, exported, new Dictionary<string, string>(), "bench resnet18");
        var peer = PeerScript.Run(python, "resnet18_peer.py", threads,
            ["--file", file, "--repeat", (repeat * rounds).ToString(Inv), "--batches", string.Join(",", batches)], "install python3-torch", out var error);
        foreach (var (_, t) in exported) t.Dispose();

        Console.WriteLine();
        Console.WriteLine("| batch | engine ms | engine, BN unfolded ms | ONNX Runtime ms | PyTorch ms | engine / ORT | engine / PyTorch | max |Δ| / max |y| vs ORT | vs PyTorch |");
        Console.WriteLine("|------:|----------:|-----------------------:|----------------:|-----------:|-------------:|-----------------:|------------------------:|-----------:|");
        foreach (var r in rows)
        {
            string key = r.Batch.ToString(Inv);
            double? ptMs = PeerScript.Number(peer, "batches", key, "torch_ms"), ptDiff = PeerScript.Number(peer, "batches", key, "rel_diff");
            Console.WriteLine($"| {r.Batch,5} | {r.Engine,9:F1} | {r.Unfolded,22:F1} | {r.Ort,15:F1} | {PeerScript.Fmt(ptMs, "F1"),10} | {r.Engine / r.Ort,11:F2}× | "
                + $"{PeerScript.Ratio(r.Engine, ptMs),16} | {r.DiffOrt,23:E1} | {PeerScript.Fmt(ptDiff, "E1"),10} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Engine as imported vs ONNX Runtime: max |Δ| / max |y| {string.Join(", ", rows.Select(r => $"{r.DiffUnfolded:E1} (batch {r.Batch})"))}.");
        if (error is not null) Console.WriteLine($"PyTorch peer: {error}");
        else if (peer is { } p && p.TryGetProperty("missing", out var why)) Console.WriteLine($"PyTorch peer: {why}");
        else if (peer is { } q)
            Console.WriteLine($"PyTorch {q.GetProperty("torch").GetString()}: eager nn.Module built from the exported graph ({q.GetProperty("network").GetString()}), "
                + "eval mode, torch.inference_mode, BatchNorm2d not folded; timed after the engine and ONNX Runtime, best of its runs.");
        Console.WriteLine();
        foreach (var line in profiles) Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine("Each Conv node (BN folded) in the engine and in ONNX Runtime (its profiler, a second session), best of its runs:");
        foreach (var line in nodeTimes) Console.WriteLine(line);
        Console.WriteLine("The NCHW convs (what runs under autograd, or with BlockedLayout off; BN folded): F.Conv2d (implicit GEMM) and the im2col path timed alternately, then that path's im2col and GEMM alone on the whole batch, best of --repeat:");
        foreach (var line in convParts) Console.WriteLine(line);
        Console.WriteLine($"Load average after the runs: {Timing.LoadAverage()}.");
        return 0;
    }

    private static double RelDiff(float[] a, float[] b)
    {
        double scale = b.Max(v => Math.Abs((double)v));
        return a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second)) / scale;
    }

    /// <summary>One forward with each node timed: seconds per operator type, largest first.</summary>
    private static string Profile(OnnxModel model, Tensor x, string what)
    {
        var byOp = new Dictionary<string, double>();
        model.NodeTimer = (node, s) => byOp[node.OpType] = byOp.GetValueOrDefault(node.OpType) + s;
        using (Tensor.NoGrad()) model.Forward(x).Dispose();
        model.NodeTimer = null;
        double total = byOp.Values.Sum();
        var parts = byOp.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value * 1e3:F1} ms ({kv.Value / total:P0})");
        return $"Engine ({what}), batch {x.Dim(0)}, one profiled forward {total * 1e3:F1} ms: {string.Join(", ", parts)}";
    }

    /// <summary>The model with a symbolic batch dimension on its input and output, so ONNX Runtime takes any batch.</summary>
    private static byte[] AnyBatch(byte[] bytes)
    {
        var proto = ModelProto.Parser.ParseFrom(bytes);
        foreach (var v in proto.Graph.Input.Concat(proto.Graph.Output).Concat(proto.Graph.ValueInfo))
        {
            var dims = v.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 0 }) dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
        }
        return Google.Protobuf.MessageExtensions.ToByteArray(proto);
    }
}
