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
/// `chapters bench resnet18`: the pretrained ResNet18 (ONNX) forward pass, float32, batch 1 and 8, the
/// engine's CPU backend against ONNX Runtime's CPU provider (intra-op threads = the engine's, i.e. the
/// processor count) in the same process, alternating rounds so that load from other processes hits both
/// alike; each side keeps its best. Also checks that both give the same features, and shows where the
/// engine's time goes (seconds per operator type, from one profiled forward at each batch size).
/// Options: --repeat N (runs per round, default 3), --rounds R (default 2), --batches 1,8.
/// </summary>
public sealed class ResNet18Bench : BenchSuite
{
    public override string Name => "resnet18";
    public override string Title => "ResNet18 (ONNX) forward on the CPU: engine vs ONNX Runtime";
    public override IReadOnlyList<string> OptionNames => ["repeat", "rounds", "batches"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public override int Run(Dictionary<string, string> options)
    {
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "3"), Inv);
        int rounds = int.Parse(options.GetValueOrDefault("rounds", "2"), Inv);
        var batches = options.GetValueOrDefault("batches", "1,8").Split(',').Select(b => int.Parse(b, Inv)).ToArray();
        int threads = Environment.ProcessorCount;
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {threads} threads (engine and ONNX Runtime) · .NET {Environment.Version} · "
            + $"best of {rounds} rounds × {repeat} runs · load average {LoadAverage()} (other processes share this machine)");

        var model = ResNet18Onnx.Load();
        model.CheckInputShapes = false;
        using var options_ = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(AnyBatch(File.ReadAllBytes(ResNet18Onnx.ModelPath)), options_);
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, graph optimisations on (it folds BatchNormalization into Conv).");
        Console.WriteLine();
        Console.WriteLine("| batch | engine ms | ONNX Runtime ms | engine / ORT | max |Δ| / max |y| |");
        Console.WriteLine("|------:|----------:|----------------:|-------------:|------------------:|");
        var profiles = new List<string>();
        foreach (int batch in batches)
        {
            using var x = Tensor.Rand([batch, 3, 224, 224], -120, 135, generator: new Generator(22));
            var ortInput = new DenseTensor<float>(x.ToArray<float>(), [batch, 3, 224, 224]);
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(ResNet18Onnx.InputName, ortInput) };
            float[] Ort()
            {
                using var r = session.Run(inputs);
                return r.First().AsTensor<float>().ToArray();
            }
            float[] Engine()
            {
                using var noGrad = Tensor.NoGrad();
                using var y = model.Forward(x);
                return y.ToArray<float>();
            }
            double engineMs = double.MaxValue, ortMs = double.MaxValue;
            for (int round = 0; round < rounds; round++)
            {
                engineMs = Math.Min(engineMs, Timing.BestOf(() => Engine(), repeat, minSeconds: 0, warmUpSeconds: 0) * 1e3);
                ortMs = Math.Min(ortMs, Timing.BestOf(() => Ort(), repeat, minSeconds: 0, warmUpSeconds: 0) * 1e3);
            }
            var a = Engine();
            var b = Ort();
            double scale = b.Max(v => Math.Abs((double)v)), diff = a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second));
            Console.WriteLine($"| {batch,5} | {engineMs,9:F1} | {ortMs,15:F1} | {engineMs / ortMs,12:F2} | {diff / scale,17:E1} |");
            profiles.Add(Profile(model, x));
        }
        Console.WriteLine();
        foreach (var p in profiles) Console.WriteLine(p);
        Console.WriteLine($"Load average after the runs: {LoadAverage()}.");
        return 0;
    }

    /// <summary>One forward with each node timed: seconds per operator type, largest first.</summary>
    private static string Profile(OnnxModel model, Tensor x)
    {
        var byOp = new Dictionary<string, double>();
        model.NodeTimer = (node, s) => byOp[node.OpType] = byOp.GetValueOrDefault(node.OpType) + s;
        using (Tensor.NoGrad()) model.Forward(x).Dispose();
        model.NodeTimer = null;
        double total = byOp.Values.Sum();
        var parts = byOp.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value * 1e3:F1} ms ({kv.Value / total:P0})");
        return $"Engine, batch {x.Dim(0)}, one profiled forward {total * 1e3:F1} ms: {string.Join(", ", parts)}";
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

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }
}
