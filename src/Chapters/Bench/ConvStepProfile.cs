using System.Diagnostics;
using Engine;

namespace Chapters.Bench;

/// <summary>
/// Where the CPU time of one 21.4.6 training step goes: each backend op the step runs (conv 5×5 with 8 then
/// 16 filters on 28×28×1, 2×2 max pools, a 256 → 10 dense layer, Adam), timed alone on the step's own shapes
/// through <see cref="CpuBackend"/>, best of <see cref="OpProfile.Runs"/> runs after a warm-up. The ops are timed one by
/// one, so the sum leaves out what lies between them (autograd bookkeeping, allocation, softmax, small sums).
/// The lines marked "layers API" run only in the Keras-style model (its kernels are stored in Keras's layout).
/// </summary>
internal static class ConvStepProfile
{
    /// <summary>Prints one line per op: best milliseconds and share of the ops' sum.</summary>
    public static void Print(int batch)
    {
        var b = CpuBackend.Instance;
        var prof = new OpProfile();
        using var scope = Tensor.Scope();
        int m1 = batch * 24 * 24, m2 = batch * 8 * 8;

        // Forward (the layers API's NHWC input goes to NCHW once; each conv's [N·OH·OW, F] GEMM output goes to NCHW).
        var x = prof.R(batch, 28, 28, 1);
        var xc = prof.Z(batch, 1, 28, 28);
        prof.Time("permute input NHWC → NCHW", () => b.Permute(x, [0, 3, 1, 2], xc));
        var w1 = prof.R(8, 25);
        var cols1 = prof.Z(m1, 25);
        var y1 = prof.Z(m1, 8);
        var b1 = prof.R(8);
        prof.Time("conv1 im2col + GEMM (8 filters)", () => b.Conv2dForward(xc, w1, 5, 5, 1, 0, cols1, y1));
        prof.Time("conv1 bias add", () => b.Binary(BinaryOp.Add, y1, b1, y1));
        var y1c = prof.Z(batch, 8, 24, 24);
        using (var y14 = y1.Reshape(batch, 24, 24, 8)) prof.Time("conv1 output NHWC → NCHW", () => b.Permute(y14, [0, 3, 1, 2], y1c));
        var r1 = prof.Z(batch, 8, 24, 24);
        prof.Time("conv1 ReLU", () => b.Unary(UnaryOp.Relu, y1c, r1));
        var p1 = prof.Z(batch, 8, 12, 12);
        var a1 = Tensor.Zeros([batch, 8, 12, 12], DType.Int32);
        prof.Time("pool1 2×2", () => b.MaxPool2d(r1, 2, 2, 2, 0, p1, a1));
        var w2 = prof.R(16, 200);
        var cols2 = prof.Z(m2, 200);
        var y2 = prof.Z(m2, 16);
        var b2 = prof.R(16);
        prof.Time("conv2 im2col + GEMM (16 filters)", () => b.Conv2dForward(p1, w2, 5, 5, 1, 0, cols2, y2));
        prof.Time("conv2 bias add", () => b.Binary(BinaryOp.Add, y2, b2, y2));
        var y2c = prof.Z(batch, 16, 8, 8);
        using (var y24 = y2.Reshape(batch, 8, 8, 16)) prof.Time("conv2 output NHWC → NCHW", () => b.Permute(y24, [0, 3, 1, 2], y2c));
        var r2 = prof.Z(batch, 16, 8, 8);
        prof.Time("conv2 ReLU", () => b.Unary(UnaryOp.Relu, y2c, r2));
        var p2 = prof.Z(batch, 16, 4, 4);
        var a2 = Tensor.Zeros([batch, 16, 4, 4], DType.Int32);
        prof.Time("pool2 2×2", () => b.MaxPool2d(r2, 2, 2, 2, 0, p2, a2));
        var flat = prof.R(batch, 256);
        var wd = prof.R(256, 10);
        var logits = prof.Z(batch, 10);
        prof.Time("dense GEMM 256 → 10", () => b.MatMul(flat, wd, logits));

        // Backward.
        var dp2 = prof.R(batch, 16, 4, 4);
        var dr2 = prof.Z(batch, 16, 8, 8);
        prof.Time("pool2 backward", () => b.MaxPool2dBackward(dp2, a2, dr2));
        var dy2 = prof.Z(batch, 16, 8, 8);
        prof.Time("conv2 ReLU backward", () => b.ReluBackward(y2c, dr2, dy2));
        var g2 = prof.Z(batch, 8, 8, 16);
        prof.Time("conv2 gradient NCHW → NHWC", () => b.Permute(dy2, [0, 2, 3, 1], g2));
        var dx2 = prof.Z(batch, 8, 12, 12);
        var dwT2 = prof.Z(200, 16);
        using (var g2m = g2.Reshape(m2, 16))
        {
            prof.Time("conv2 backward dx (GEMM + col2im)", () => b.Conv2dBackward(g2m, w2, cols2, 5, 5, 1, 0, [batch, 8, 12, 12], dx2, null));
            prof.Time("conv2 backward dW (GEMM)", () => b.Conv2dBackward(g2m, w2, cols2, 5, 5, 1, 0, [batch, 8, 12, 12], null, dwT2));
            var db2 = prof.Z(16);
            prof.Time("conv2 bias gradient (sum over rows)", () => b.Reduce(ReduceOp.Sum, g2m, 0, db2));
        }
        var dp1 = prof.R(batch, 8, 12, 12);
        var dr1 = prof.Z(batch, 8, 24, 24);
        prof.Time("pool1 backward", () => b.MaxPool2dBackward(dp1, a1, dr1));
        var dy1 = prof.Z(batch, 8, 24, 24);
        prof.Time("conv1 ReLU backward", () => b.ReluBackward(y1c, dr1, dy1));
        var g1 = prof.Z(batch, 24, 24, 8);
        prof.Time("conv1 gradient NCHW → NHWC", () => b.Permute(dy1, [0, 2, 3, 1], g1));
        var dwT1 = prof.Z(25, 8);
        using (var g1m = g1.Reshape(m1, 8))
        {
            prof.Time("conv1 backward dW (GEMM)", () => b.Conv2dBackward(g1m, w1, cols1, 5, 5, 1, 0, [batch, 1, 28, 28], null, dwT1));
            var db1 = prof.Z(8);
            prof.Time("conv1 bias gradient (sum over rows)", () => b.Reduce(ReduceOp.Sum, g1m, 0, db1));
        }
        // Only the layers API: its Keras-layout kernels go to the layout of the ops and their gradients come back.
        var k2 = prof.R(5, 5, 8, 16);
        var k2c = prof.Z(16, 8, 5, 5);
        prof.Time("layers API: conv2 kernel to [F,C,kh,kw]", () => b.Permute(k2, [3, 2, 0, 1], k2c));
        prof.Time("layers API: conv2 kernel gradient back", () => b.Permute(k2c, [2, 3, 1, 0], k2));
        var kd = prof.R(4, 4, 16, 10);
        var kdc = prof.Z(16, 4, 4, 10);
        prof.Time("layers API: dense kernel rows hwc → chw", () => b.Permute(kd, [2, 0, 1, 3], kdc));
        prof.Time("layers API: dense kernel gradient back", () => b.Permute(kdc, [1, 2, 0, 3], kd));
        int[][] shapes = [[8, 1, 5, 5], [8], [16, 8, 5, 5], [16], [256, 10], [10]];
        var (p, g, mo, v) = (shapes.Select(prof.R).ToArray(), shapes.Select(prof.R).ToArray(), shapes.Select(prof.Z).ToArray(), shapes.Select(prof.Z).ToArray());
        prof.Time("Adam, 6 parameters", () => { for (int i = 0; i < p.Length; i++) b.AdamUpdate(p[i], g[i], mo[i], v[i], 1e-3, 0.9, 0.999, 1e-7, 5); });

        prof.Print($"where the engine's step goes: each CPU op alone on the step's shapes (batch {batch})");
    }
}
