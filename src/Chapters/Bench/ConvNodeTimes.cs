using System.Globalization;
using System.Text.Json;
using Engine;
using Engine.IO.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Engine.Tensor;

namespace Chapters.Bench;

/// <summary>
/// Each Conv node's time in the engine beside the same node's time in ONNX Runtime (`chapters bench resnet18`): the
/// engine's from <see cref="OnnxModel.NodeTimer"/>, ONNX Runtime's from its own profiler (a second session with
/// profiling on, graph optimisations as the timed one: its Conv nodes carry the folded BatchNormalization, the Add and
/// the Relu, as the engine's do). The i-th Conv of one is matched with the i-th of the other (both run the graph in
/// its order); best of <c>runs</c> forwards per node on each side.
/// </summary>
internal static class ConvNodeTimes
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A markdown table, one row per Conv node, and the totals of the Conv nodes and of all nodes.</summary>
    public static IEnumerable<string> Table(OnnxModel model, byte[] onnx, string inputName, Tensor x, int threads, int runs)
    {
        var ort = OrtNodes(onnx, inputName, x, threads, runs);
        var engine = EngineNodes(model, x, runs);
        var ortConvs = ort.Where(n => n.Op == "Conv").ToArray();
        var engineConvs = engine.Where(n => n.Node.OpType == "Conv").ToArray();
        if (ortConvs.Length != engineConvs.Length)
        {
            yield return $"(ONNX Runtime ran {ortConvs.Length} Conv nodes, the engine {engineConvs.Length}: not matched one to one.)";
            yield break;
        }
        yield return $"| conv node (batch {x.Dim(0)}) | engine ms | ONNX Runtime ms | engine / ORT |";
        yield return "|------|----------:|----------------:|-------------:|";
        for (int i = 0; i < ortConvs.Length; i++)
        {
            var (node, ms) = engineConvs[i];
            yield return $"| {i + 1}. {ortConvs[i].Shape}/{node.Ints("strides")?[0] ?? 1} | {ms:F2} | {ortConvs[i].Ms:F2} | {ms / ortConvs[i].Ms:F2}× |";
        }
        double engineConv = engineConvs.Sum(n => n.Ms), ortConv = ortConvs.Sum(n => n.Ms);
        double engineAll = engine.Sum(n => n.Ms), ortAll = ort.Sum(n => n.Ms);
        yield return $"| all {ortConvs.Length} convs | {engineConv:F2} | {ortConv:F2} | {engineConv / ortConv:F2}× |";
        yield return $"| all nodes ({engine.Count} engine, {ort.Count} ORT) | {engineAll:F2} | {ortAll:F2} | {engineAll / ortAll:F2}× |";
    }

    /// <summary>The engine's nodes in graph order with each one's best time in ms over <paramref name="runs"/> forwards.</summary>
    private static List<(OnnxNode Node, double Ms)> EngineNodes(OnnxModel model, Tensor x, int runs)
    {
        var best = new Dictionary<OnnxNode, double>();
        model.NodeTimer = (node, s) => best[node] = Math.Min(best.GetValueOrDefault(node, double.MaxValue), s * 1e3);
        try
        {
            using var noGrad = Tensor.NoGrad();
            for (int r = 0; r < runs; r++) model.Forward(x).Dispose();
        }
        finally { model.NodeTimer = null; }
        return model.Nodes.Where(best.ContainsKey).Select(n => (n, best[n])).ToList();
    }

    /// <summary>
    /// ONNX Runtime's kernels in the order they first ran, each with its best time in ms over <paramref name="runs"/>
    /// runs, its operator and "C→F K×K, H×W" from its input shapes (the operator name alone for other nodes).
    /// </summary>
    private static List<(string Op, string Shape, double Ms)> OrtNodes(byte[] onnx, string inputName, Tensor x, int threads, int runs)
    {
        Directory.CreateDirectory("out");
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            EnableProfiling = true, ProfileOutputPathPrefix = Path.Combine("out", "bench-resnet18-ort-profile"),
        };
        string file;
        using (var session = new InferenceSession(onnx, options))
        {
            var input = new DenseTensor<float>(x.ToArray<float>(), x.Shape.ToArray());
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(inputName, input) };
            for (int r = 0; r < runs; r++) session.Run(inputs).Dispose();
            file = session.EndProfiling();
        }
        var nodes = new List<(string Name, string Op, string Shape)>();
        var best = new Dictionary<string, double>();
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(file)))
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node") continue;
                string name = e.GetProperty("name").GetString()!;
                if (!name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                double ms = e.GetProperty("dur").GetDouble() / 1e3;
                if (!best.TryGetValue(name, out double old))
                {
                    var args = e.GetProperty("args");
                    string op = args.GetProperty("op_name").GetString()!;
                    nodes.Add((name, op, op == "Conv" ? ConvShape(args.GetProperty("input_type_shape")) : op));
                    old = double.MaxValue;
                }
                best[name] = Math.Min(old, ms);
            }
        File.Delete(file);
        return nodes.Select(n => (n.Op, n.Shape, best[n.Name])).ToList();
    }

    /// <summary>"C→F K×K, H×W" from a Conv's input shapes [{"float": [N, C, H, W]}, {"float": [F, C, K, K]}, …].</summary>
    private static string ConvShape(JsonElement inputs)
    {
        long[] Dims(int i) => inputs[i].EnumerateObject().First().Value.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        long[] x = Dims(0), w = Dims(1);
        return string.Create(Inv, $"{x[1]}→{w[0]} {w[2]}×{w[3]}, {x[2]}×{x[3]}");
    }
}
