using System.Globalization;
using Engine;
using Engine.Functional;
using Engine.IO.Onnx;
using Tensor = Engine.Tensor;

namespace Chapters.Bench;

/// <summary>
/// Where a model's convolution time goes (`chapters bench resnet18`): for each distinct Conv geometry of
/// the model (one group, no dilation, pads that act as symmetric ones) on its real input at one batch size, the time of
/// F.Conv2d on NCHW images (the CPU's implicit GEMM, which runs under autograd and with OnnxModel.BlockedLayout off) beside the im2col path it replaced (whole-batch or
/// image-by-image im2col, GEMM cols · Wᵀ, then the bias-and-transpose pass), timed alternately in the same
/// rounds, and the two big parts of the im2col path run alone on the whole batch — F.Im2Col [N·OH·OW, C·KH·KW]
/// and the GEMM cols · Wᵀ (MatMul) — best of <c>repeat</c> calls each.
/// </summary>
internal static class ConvParts
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A markdown table, one row per geometry (with how many Conv nodes share it) and a total weighted by that count.</summary>
    public static IEnumerable<string> Table(OnnxModel model, Tensor x, int repeat)
    {
        var convs = model.Nodes.Where(n => n.OpType == "Conv").ToArray();
        IReadOnlyDictionary<string, Tensor> inputs;
        using (Tensor.NoGrad()) inputs = model.Run(x, convs.Select(n => n.Inputs[0]).Distinct().ToArray());
        var groups = convs.GroupBy(n => Key(n, inputs[n.Inputs[0]], model.Weight(n.Inputs[1]))).Where(g => g.Key.Length > 0);
        yield return $"| conv (batch {x.Dim(0)}) | nodes | F.Conv2d ms | GFLOP/s | im2col path ms | Im2Col ms | GEMM ms | GEMM GFLOP/s |";
        yield return "|------|------:|------------:|--------:|---------------:|----------:|--------:|-------------:|";
        double conv = 0, path = 0, im2col = 0, gemm = 0;
        using var noGrad = Tensor.NoGrad();
        foreach (var g in groups)
        {
            var node = g.First();
            var (input, w) = (inputs[node.Inputs[0]], model.Weight(node.Inputs[1]));
            Tensor? b = node.Inputs.Count > 2 && node.Inputs[2].Length > 0 ? model.Weight(node.Inputs[2]) : null;
            int s = (int)(node.Ints("strides")?[0] ?? 1), p = (int)(node.Ints("pads")?[0] ?? 0), k = w.Dim(2), f = w.Dim(0);
            var (tConv, tPath) = BestAlternating(() => F.Conv2d(input, w, b, s, p).Dispose(), () => Im2ColPath(input, w, b, s, p), repeat);
            using var cols = F.Im2Col(input, k, k, s, p);
            double tCols = Best(() => F.Im2Col(input, k, k, s, p).Dispose(), repeat);
            var w2 = w.Reshape(f, (int)(w.Size / f));
            double tGemm = Best(() => cols.MatMul(w2, false, true).Dispose(), repeat);
            double flops = 2.0 * cols.Dim(0) * cols.Dim(1) * f;
            yield return $"| {g.Key} | {g.Count()} | {tConv * 1e3:F1} | {flops / tConv / 1e9:F1} | {tPath * 1e3:F1} | {tCols * 1e3:F1} | {tGemm * 1e3:F1} | {flops / tGemm / 1e9:F1} |";
            conv += g.Count() * tConv;
            path += g.Count() * tPath;
            im2col += g.Count() * tCols;
            gemm += g.Count() * tGemm;
        }
        yield return $"| all convs | {convs.Length} | {conv * 1e3:F1} | | {path * 1e3:F1} | {im2col * 1e3:F1} | {gemm * 1e3:F1} | |";
        foreach (var t in inputs.Values) if (!ReferenceEquals(t, x)) t.Dispose();
    }

    /// <summary>"C→F K×K/s, H×W", or "" for a geometry this table does not time (groups, dilation, unequal pads).</summary>
    private static string Key(OnnxNode n, Tensor input, Tensor w)
    {
        var pads = n.Ints("pads") ?? [0, 0, 0, 0];
        var strides = n.Ints("strides") ?? [1, 1];
        // Pads [t, l, b, r] with t = l and b, r ≤ t: the model runs them as padding t when that reads the same windows (CNTK's [1, 1, 0, 0]).
        bool plain = n.Int("group", 1) == 1 && (n.Ints("dilations") ?? [1, 1]).All(d => d == 1) && pads[0] == pads[1] && pads[2] <= pads[0] && pads[3] <= pads[1]
            && strides[0] == strides[1] && n.String("auto_pad", "NOTSET") == "NOTSET" && w.Dim(2) == w.Dim(3);
        return plain ? string.Create(Inv, $"{w.Dim(1)}→{w.Dim(0)} {w.Dim(2)}×{w.Dim(3)}/{strides[0]}, {input.Dim(2)}×{input.Dim(3)}") : "";
    }

    /// <summary>The CPU's im2col conv forward without a backward: im2col blocks and GEMM [N·OH·OW, F], then bias and NHWC → NCHW.</summary>
    private static void Im2ColPath(Tensor x, Tensor w, Tensor? b, int s, int p)
    {
        int f = w.Dim(0), k = (int)(w.Size / f), kh = w.Dim(2), kw = w.Dim(3);
        int oh = (x.Dim(2) + 2 * p - kh) / s + 1, ow = (x.Dim(3) + 2 * p - kw) / s + 1;
        using var w2 = w.Reshape(f, k);
        using var y2 = Tensor.Empty([x.Dim(0) * oh * ow, f], x.DType, x.Device);
        using var y = Tensor.Empty([x.Dim(0), f, oh, ow], x.DType, x.Device);
        CpuBackend.Instance.Conv2dForward(x, w2, kh, kw, s, p, null, y2);
        CpuBackend.Instance.Conv2dOutput(y2, b, y);
    }

    /// <summary>Best seconds of a and of b over <paramref name="repeat"/> rounds, each round timing a then b (load swings hit both alike).</summary>
    private static (double A, double B) BestAlternating(Action a, Action b, int repeat)
    {
        a();
        b();
        double bestA = double.MaxValue, bestB = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            a();
            bestA = Math.Min(bestA, sw.Elapsed.TotalSeconds);
            sw.Restart();
            b();
            bestB = Math.Min(bestB, sw.Elapsed.TotalSeconds);
        }
        return (bestA, bestB);
    }

    private static double Best(Action body, int repeat)
    {
        body();
        double best = double.MaxValue;
        for (int i = 0; i < repeat; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            body();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
