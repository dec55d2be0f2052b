using System.Diagnostics;
using Chapters.Ch20;
using Engine;
using Engine.Functional;
using Engine.Nn;
using Engine.Optim;

namespace Chapters.Bench;

/// <summary>
/// Where the CPU time of one 20.4.2 training step goes (`chapters bench cnn --profile`): each backend op the step
/// runs (conv 5×5 padding 2 with C1 then C2 filters on 28×28×1, ReLU, 2×2 max pools, the dense layer, Adam), timed
/// alone on the step's own shapes through <see cref="CpuBackend"/>, best of <c>Runs</c> runs after a warm-up;
/// then the whole step, so the gap shows what lies between the ops (autograd bookkeeping, allocation, small sums).
/// </summary>
internal static class CnnStepProfile
{
    private const int Runs = 30;

    /// <summary>Prints one line per op: best milliseconds and share of the ops' sum, then the whole step.</summary>
    public static void Print(int batch, int c1, int c2)
    {
        var b = CpuBackend.Instance;
        var gen = new Generator(1);
        var rows = new List<(string Op, double Ms)>();
        using var scope = Tensor.Scope();
        Tensor R(params int[] shape) => Tensor.Randn(shape, generator: gen);
        Tensor Z(params int[] shape) => Tensor.Zeros(shape);
        void Time(string op, Action run) => rows.Add((op, BestMs(run)));
        int m1 = batch * 28 * 28, k2 = c1 * 25, dense = c2 * 49;
        bool implicit1 = F.ConvTakesImplicit(c1, needsDx: false), implicit2 = F.ConvTakesImplicit(c2, needsDx: true);

        // Forward.
        var x = Tensor.Rand([batch, 1, 28, 28], generator: gen);
        var w1 = R(c1, 25);
        var b1 = R(c1);
        var cols1 = Z(m1, 25);
        var y1 = Z(batch, c1, 28, 28);
        if (implicit1) Time($"conv1 implicit (bias added, {c1} filters)", () => b.Conv2dImplicit(x, w1, b1, 5, 5, 1, 2, y1));
        else
        {
            var y1r = Z(m1, c1);
            Time($"conv1 im2col + GEMM ({c1} filters)", () => b.Conv2dForward(x, w1, 5, 5, 1, 2, cols1, y1r));
            Time("conv1 bias + NHWC → NCHW", () => b.Conv2dOutput(y1r, b1, y1));
        }
        var r1 = Z(batch, c1, 28, 28);
        Time("conv1 ReLU", () => b.Unary(UnaryOp.Relu, y1, r1));
        var p1 = Z(batch, c1, 14, 14);
        var a1 = Tensor.Zeros([batch, c1, 14, 14], DType.Int32);
        Time("pool1 2×2", () => b.MaxPool2d(r1, 2, 2, 2, 0, p1, a1));
        var w2 = R(c2, k2);
        var b2 = R(c2);
        var y2 = Z(batch, c2, 14, 14);
        var cols2 = Z(batch * 196, k2);
        if (implicit2) Time($"conv2 implicit (bias added, {c2} filters)", () => b.Conv2dImplicit(p1, w2, b2, 5, 5, 1, 2, y2));
        else
        {
            var y2r = Z(batch * 196, c2);
            Time($"conv2 im2col + GEMM ({c2} filters)", () => b.Conv2dForward(p1, w2, 5, 5, 1, 2, cols2, y2r));
            Time("conv2 bias + NHWC → NCHW", () => b.Conv2dOutput(y2r, b2, y2));
        }
        var r2 = Z(batch, c2, 14, 14);
        Time("conv2 ReLU", () => b.Unary(UnaryOp.Relu, y2, r2));
        var p2 = Z(batch, c2, 7, 7);
        var a2 = Tensor.Zeros([batch, c2, 7, 7], DType.Int32);
        Time("pool2 2×2", () => b.MaxPool2d(r2, 2, 2, 2, 0, p2, a2));
        var flat = R(batch, dense);
        var wd = R(10, dense);
        var logits = Z(batch, 10);
        Time($"dense GEMM {dense} → 10", () => b.MatMul(flat, wd, logits, transB: true));

        // Backward.
        var dlogits = R(batch, 10);
        var dflat = Z(batch, dense);
        Time("dense backward dx (GEMM)", () => b.MatMul(dlogits, wd, dflat));
        var dwd = Z(10, dense);
        Time("dense backward dW (GEMM)", () => b.MatMul(dlogits, flat, dwd, transA: true));
        var dp2 = R(batch, c2, 7, 7);
        var dr2 = Z(batch, c2, 14, 14);
        Time("pool2 backward", () => b.MaxPool2dBackward(dp2, a2, dr2));
        var dy2 = Z(batch, c2, 14, 14);
        Time("conv2 ReLU backward", () => b.ReluBackward(r2, dr2, dy2));
        var dx2 = Z(batch, c1, 14, 14);
        var dw2 = Z(c2, k2);
        if (implicit2)
        {
            Time("conv2 backward dx (implicit)", () => b.Conv2dImplicitBackward(dy2, p1, w2, 5, 5, 1, 2, dx2, null));
            Time("conv2 backward dW (window rows + GEMM)", () => b.Conv2dImplicitBackward(dy2, p1, w2, 5, 5, 1, 2, null, dw2));
        }
        else
        {
            var g2 = Z(batch * 196, c2);
            Time("conv2 gradient NCHW → NHWC", () => b.Permute(dy2, [0, 2, 3, 1], g2));
            Time("conv2 backward dx (GEMM + col2im)", () => b.Conv2dBackward(g2, w2, cols2, 5, 5, 1, 2, [batch, c1, 14, 14], dx2, null));
            var dwT = Z(k2, c2);
            Time("conv2 backward dW (GEMM)", () => b.Conv2dBackward(g2, w2, cols2, 5, 5, 1, 2, [batch, c1, 14, 14], null, dwT));
        }
        var db2 = Z(c2);
        Time("conv2 bias gradient", () => b.ConvBiasGrad(dy2, db2));
        var dp1 = R(batch, c1, 14, 14);
        var dr1 = Z(batch, c1, 28, 28);
        Time("pool1 backward", () => b.MaxPool2dBackward(dp1, a1, dr1));
        var dy1 = Z(batch, c1, 28, 28);
        Time("conv1 ReLU backward", () => b.ReluBackward(r1, dr1, dy1));
        var dw1 = Z(c1, 25);
        var db1 = Z(c1);
        Time("conv1 bias gradient", () => b.ConvBiasGrad(dy1, db1));
        if (implicit1) Time("conv1 backward dW (window rows + GEMM)", () => b.Conv2dImplicitBackward(dy1, x, w1, 5, 5, 1, 2, null, dw1));
        else
        {
            var g1 = Z(m1, c1);
            Time("conv1 gradient NCHW → NHWC", () => b.Permute(dy1, [0, 2, 3, 1], g1));
            var dwT1 = Z(25, c1);
            Time("conv1 backward dW (GEMM)", () => b.Conv2dBackward(g1, w1, cols1, 5, 5, 1, 2, [batch, 1, 28, 28], null, dwT1));
        }
        int[][] shapes = [[c1, 1, 5, 5], [c1], [c2, c1, 5, 5], [c2], [10, dense], [10]];
        var (p, g, mo, v) = (shapes.Select(R).ToArray(), shapes.Select(R).ToArray(), shapes.Select(Z).ToArray(), shapes.Select(Z).ToArray());
        Time("Adam, 6 parameters", () => { for (int i = 0; i < p.Length; i++) b.AdamUpdate(p[i], g[i], mo[i], v[i], 1e-3, 0.9, 0.999, 1e-8, 5); });

        var model = Ex20_4_2_CnnMnist.Model(new Generator(0), Device.Cpu, c1, c2);
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % 10).ToArray());
        double step = BestMs(() => Ex20_4_2_CnnMnist.Step(model, optimizer, x, labels));

        double sum = rows.Sum(r => r.Ms);
        Console.WriteLine();
        Console.WriteLine($"where the engine's step goes: each CPU op alone on the 20.4.2 step's shapes (batch {batch}), best of {Runs} runs");
        Console.WriteLine($"{"op",-40} {"ms",8} {"share",7}");
        foreach (var (op, ms) in rows) Console.WriteLine($"{op,-40} {ms,8:F3} {100 * ms / sum,6:F1}%");
        Console.WriteLine($"{"sum of the ops",-40} {sum,8:F3}");
        Console.WriteLine($"{"whole step (F.CrossEntropy, autograd)",-40} {step,8:F3}");
    }

    private static double BestMs(Action run) => Timing.BestCallMs(run, Runs);
}
