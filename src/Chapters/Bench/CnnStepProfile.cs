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
/// alone on the step's own shapes through <see cref="CpuBackend"/>, best of <see cref="OpProfile.Runs"/> runs after a warm-up;
/// then the whole step, so the gap shows what lies between the ops (autograd bookkeeping, allocation, small sums).
/// </summary>
internal static class CnnStepProfile
{
    /// <summary>Prints one line per op: best milliseconds and share of the ops' sum, then the whole step.</summary>
    public static void Print(int batch, int c1, int c2)
    {
        var b = CpuBackend.Instance;
        var prof = new OpProfile();
        using var scope = Tensor.Scope();
        int m1 = batch * 28 * 28, k2 = c1 * 25, dense = c2 * 49;
        bool implicit1 = F.ConvTakesImplicit(c1, needsDx: false), implicit2 = F.ConvTakesImplicit(c2, needsDx: true);

        // Forward.
        var x = Tensor.Rand([batch, 1, 28, 28], generator: prof.Generator);
        var w1 = prof.R(c1, 25);
        var b1 = prof.R(c1);
        var cols1 = prof.Z(m1, 25);
        var y1 = prof.Z(batch, c1, 28, 28);
        if (implicit1) prof.Time($"conv1 implicit (bias added, {c1} filters)", () => b.Conv2dImplicit(x, w1, b1, 5, 5, 1, 2, y1));
        else
        {
            var y1r = prof.Z(m1, c1);
            prof.Time($"conv1 im2col + GEMM ({c1} filters)", () => b.Conv2dForward(x, w1, 5, 5, 1, 2, cols1, y1r));
            prof.Time("conv1 bias + NHWC → NCHW", () => b.Conv2dOutput(y1r, b1, y1));
        }
        var r1 = prof.Z(batch, c1, 28, 28);
        prof.Time("conv1 ReLU", () => b.Unary(UnaryOp.Relu, y1, r1));
        var p1 = prof.Z(batch, c1, 14, 14);
        var a1 = Tensor.Zeros([batch, c1, 14, 14], DType.Int32);
        prof.Time("pool1 2×2", () => b.MaxPool2d(r1, 2, 2, 2, 0, p1, a1));
        var w2 = prof.R(c2, k2);
        var b2 = prof.R(c2);
        var y2 = prof.Z(batch, c2, 14, 14);
        var cols2 = prof.Z(batch * 196, k2);
        if (implicit2) prof.Time($"conv2 implicit (bias added, {c2} filters)", () => b.Conv2dImplicit(p1, w2, b2, 5, 5, 1, 2, y2));
        else
        {
            var y2r = prof.Z(batch * 196, c2);
            prof.Time($"conv2 im2col + GEMM ({c2} filters)", () => b.Conv2dForward(p1, w2, 5, 5, 1, 2, cols2, y2r));
            prof.Time("conv2 bias + NHWC → NCHW", () => b.Conv2dOutput(y2r, b2, y2));
        }
        var r2 = prof.Z(batch, c2, 14, 14);
        prof.Time("conv2 ReLU", () => b.Unary(UnaryOp.Relu, y2, r2));
        var p2 = prof.Z(batch, c2, 7, 7);
        var a2 = Tensor.Zeros([batch, c2, 7, 7], DType.Int32);
        prof.Time("pool2 2×2", () => b.MaxPool2d(r2, 2, 2, 2, 0, p2, a2));
        var flat = prof.R(batch, dense);
        var wd = prof.R(10, dense);
        var logits = prof.Z(batch, 10);
        prof.Time($"dense GEMM {dense} → 10", () => b.MatMul(flat, wd, logits, transB: true));

        // Backward.
        var dlogits = prof.R(batch, 10);
        var dflat = prof.Z(batch, dense);
        prof.Time("dense backward dx (GEMM)", () => b.MatMul(dlogits, wd, dflat));
        var dwd = prof.Z(10, dense);
        prof.Time("dense backward dW (GEMM)", () => b.MatMul(dlogits, flat, dwd, transA: true));
        var dp2 = prof.R(batch, c2, 7, 7);
        var dr2 = prof.Z(batch, c2, 14, 14);
        prof.Time("pool2 backward", () => b.MaxPool2dBackward(dp2, a2, dr2));
        var dy2 = prof.Z(batch, c2, 14, 14);
        prof.Time("conv2 ReLU backward", () => b.ReluBackward(r2, dr2, dy2));
        var dx2 = prof.Z(batch, c1, 14, 14);
        var dw2 = prof.Z(c2, k2);
        if (implicit2)
        {
            prof.Time("conv2 backward dx (implicit)", () => b.Conv2dImplicitBackward(dy2, p1, w2, 5, 5, 1, 2, dx2, null));
            prof.Time("conv2 backward dW (window rows + GEMM)", () => b.Conv2dImplicitBackward(dy2, p1, w2, 5, 5, 1, 2, null, dw2));
        }
        else
        {
            var g2 = prof.Z(batch * 196, c2);
            prof.Time("conv2 gradient NCHW → NHWC", () => b.Permute(dy2, [0, 2, 3, 1], g2));
            prof.Time("conv2 backward dx (GEMM + col2im)", () => b.Conv2dBackward(g2, w2, cols2, 5, 5, 1, 2, [batch, c1, 14, 14], dx2, null));
            var dwT = prof.Z(k2, c2);
            prof.Time("conv2 backward dW (GEMM)", () => b.Conv2dBackward(g2, w2, cols2, 5, 5, 1, 2, [batch, c1, 14, 14], null, dwT));
        }
        var db2 = prof.Z(c2);
        prof.Time("conv2 bias gradient", () => b.ConvBiasGrad(dy2, db2));
        var dp1 = prof.R(batch, c1, 14, 14);
        var dr1 = prof.Z(batch, c1, 28, 28);
        prof.Time("pool1 backward", () => b.MaxPool2dBackward(dp1, a1, dr1));
        var dy1 = prof.Z(batch, c1, 28, 28);
        prof.Time("conv1 ReLU backward", () => b.ReluBackward(r1, dr1, dy1));
        var dw1 = prof.Z(c1, 25);
        var db1 = prof.Z(c1);
        prof.Time("conv1 bias gradient", () => b.ConvBiasGrad(dy1, db1));
        if (implicit1) prof.Time("conv1 backward dW (window rows + GEMM)", () => b.Conv2dImplicitBackward(dy1, x, w1, 5, 5, 1, 2, null, dw1));
        else
        {
            var g1 = prof.Z(m1, c1);
            prof.Time("conv1 gradient NCHW → NHWC", () => b.Permute(dy1, [0, 2, 3, 1], g1));
            var dwT1 = prof.Z(25, c1);
            prof.Time("conv1 backward dW (GEMM)", () => b.Conv2dBackward(g1, w1, cols1, 5, 5, 1, 2, [batch, 1, 28, 28], null, dwT1));
        }
        int[][] shapes = [[c1, 1, 5, 5], [c1], [c2, c1, 5, 5], [c2], [10, dense], [10]];
        var (p, g, mo, v) = (shapes.Select(prof.R).ToArray(), shapes.Select(prof.R).ToArray(), shapes.Select(prof.Z).ToArray(), shapes.Select(prof.Z).ToArray());
        prof.Time("Adam, 6 parameters", () => { for (int i = 0; i < p.Length; i++) b.AdamUpdate(p[i], g[i], mo[i], v[i], 1e-3, 0.9, 0.999, 1e-8, 5); });

        var model = Ex20_4_2_CnnMnist.Model(new Generator(0), Device.Cpu, c1, c2);
        var optimizer = new Adam(model.Parameters(), lr: 1e-3);
        using var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % 10).ToArray());
        double step = Timing.BestCallMs(() => Ex20_4_2_CnnMnist.Step(model, optimizer, x, labels), OpProfile.Runs);

        prof.Print($"where the engine's step goes: each CPU op alone on the 20.4.2 step's shapes (batch {batch})");
        Console.WriteLine($"{"whole step (F.CrossEntropy, autograd)",-40} {step,8:F3}");
    }
}
