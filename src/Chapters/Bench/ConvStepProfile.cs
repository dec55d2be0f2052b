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

        // Forward (the layers API's NHWC input goes to NCHW once; each conv's [N·OH·OW, F] GEMM output goes to NCHW).
        var x = prof.R(batch, 28, 28, 1);
        var xc = prof.Z(batch, 1, 28, 28);
        prof.Time("permute input NHWC → NCHW", () => b.Permute(x, [0, 3, 1, 2], xc));
        var conv1 = ConvLayer.Forward(prof, 1, xc, 8);
        var conv2 = ConvLayer.Forward(prof, 2, conv1.Pooled, 16);
        var flat = prof.R(batch, 256);
        var wd = prof.R(256, 10);
        var logits = prof.Z(batch, 10);
        prof.Time("dense GEMM 256 → 10", () => b.MatMul(flat, wd, logits));

        // Backward (the first conv's input needs no gradient).
        conv2.Backward(prof, withDx: true);
        conv1.Backward(prof, withDx: false);

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

    /// <summary>
    /// One conv block of the step on its own shapes: a 5×5 conv (no padding) with F filters over x [N, C, H, W]
    /// as im2col + GEMM, its bias, its NHWC → NCHW output pass, ReLU and a 2×2 max pool, and their backward ops.
    /// </summary>
    private sealed record ConvLayer(int Index, Tensor X, Tensor W, Tensor Cols, Tensor Y, Tensor ArgMax, Tensor Pooled)
    {
        private static CpuBackend B => CpuBackend.Instance;

        /// <summary>Times the forward ops of conv block <paramref name="index"/> over x and keeps their tensors for Backward.</summary>
        public static ConvLayer Forward(OpProfile prof, int index, Tensor x, int filters)
        {
            int n = x.Dim(0), c = x.Dim(1), o = x.Dim(2) - 4, m = n * o * o;
            var w = prof.R(filters, c * 25);
            var cols = prof.Z(m, c * 25);
            var y = prof.Z(m, filters);
            var bias = prof.R(filters);
            prof.Time($"conv{index} im2col + GEMM ({filters} filters)", () => B.Conv2dForward(x, w, 5, 5, 1, 0, cols, y));
            prof.Time($"conv{index} bias add", () => B.Binary(BinaryOp.Add, y, bias, y));
            var yc = prof.Z(n, filters, o, o);
            using (var y4 = y.Reshape(n, o, o, filters)) prof.Time($"conv{index} output NHWC → NCHW", () => B.Permute(y4, [0, 3, 1, 2], yc));
            var r = prof.Z(n, filters, o, o);
            prof.Time($"conv{index} ReLU", () => B.Unary(UnaryOp.Relu, yc, r));
            var pooled = prof.Z(n, filters, o / 2, o / 2);
            var argmax = Tensor.Zeros([n, filters, o / 2, o / 2], DType.Int32);
            prof.Time($"pool{index} 2×2", () => B.MaxPool2d(r, 2, 2, 2, 0, pooled, argmax));
            return new ConvLayer(index, x, w, cols, yc, argmax, pooled);
        }

        /// <summary>Times the block's backward ops: pool, ReLU, the gradient to NHWC, dx (when asked), dW and db.</summary>
        public void Backward(OpProfile prof, bool withDx)
        {
            int n = Y.Dim(0), f = Y.Dim(1), o = Y.Dim(2), m = n * o * o, k = Cols.Dim(1);
            var dp = prof.R(Pooled.Shape);
            var dr = prof.Z(Y.Shape);
            prof.Time($"pool{Index} backward", () => B.MaxPool2dBackward(dp, ArgMax, dr));
            var dy = prof.Z(Y.Shape);
            prof.Time($"conv{Index} ReLU backward", () => B.ReluBackward(Y, dr, dy));
            var g = prof.Z(n, o, o, f);
            prof.Time($"conv{Index} gradient NCHW → NHWC", () => B.Permute(dy, [0, 2, 3, 1], g));
            var dx = prof.Z(X.Shape);
            var dwT = prof.Z(k, f);
            using var gm = g.Reshape(m, f);
            if (withDx) prof.Time($"conv{Index} backward dx (GEMM + col2im)", () => B.Conv2dBackward(gm, W, Cols, 5, 5, 1, 0, X.Shape, dx, null));
            prof.Time($"conv{Index} backward dW (GEMM)", () => B.Conv2dBackward(gm, W, Cols, 5, 5, 1, 0, X.Shape, null, dwT));
            var db = prof.Z(f);
            prof.Time($"conv{Index} bias gradient (sum over rows)", () => B.Reduce(ReduceOp.Sum, gm, 0, db));
        }
    }
}
