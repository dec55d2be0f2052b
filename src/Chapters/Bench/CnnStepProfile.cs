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
        int dense = c2 * 49;

        // Forward.
        var x = Tensor.Rand([batch, 1, 28, 28], generator: prof.Generator);
        var conv1 = ConvBlock.Forward(prof, 1, x, c1, F.ConvTakesImplicit(c1, needsDx: false));
        var conv2 = ConvBlock.Forward(prof, 2, conv1.Pooled, c2, F.ConvTakesImplicit(c2, needsDx: true));
        var flat = prof.R(batch, dense);
        var wd = prof.R(10, dense);
        var logits = prof.Z(batch, 10);
        prof.Time($"dense GEMM {dense} → 10", () => b.MatMul(flat, wd, logits, transB: true));

        // Backward (the image needs no gradient).
        var dlogits = prof.R(batch, 10);
        var dflat = prof.Z(batch, dense);
        prof.Time("dense backward dx (GEMM)", () => b.MatMul(dlogits, wd, dflat));
        var dwd = prof.Z(10, dense);
        prof.Time("dense backward dW (GEMM)", () => b.MatMul(dlogits, flat, dwd, transA: true));
        conv2.Backward(prof, withDx: true);
        conv1.Backward(prof, withDx: false);
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

    /// <summary>
    /// One conv block of the step on its own shapes: a 5×5 conv with padding 2 and F filters over x [N, C, H, W]
    /// (the implicit GEMM, or im2col + GEMM and the bias/NHWC → NCHW pass), ReLU and a 2×2 max pool, and their backward ops.
    /// </summary>
    private sealed record ConvBlock(int Index, bool Implicit, Tensor X, Tensor W, Tensor Cols, Tensor Relu, Tensor ArgMax, Tensor Pooled)
    {
        private static CpuBackend B => CpuBackend.Instance;

        /// <summary>Times the forward ops of conv block <paramref name="index"/> over x and keeps their tensors for Backward.</summary>
        public static ConvBlock Forward(OpProfile prof, int index, Tensor x, int filters, bool isImplicit)
        {
            int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
            var weights = prof.R(filters, c * 25);
            var bias = prof.R(filters);
            var cols = prof.Z(n * h * w, c * 25);
            var y = prof.Z(n, filters, h, w);
            if (isImplicit) prof.Time($"conv{index} implicit (bias added, {filters} filters)", () => B.Conv2dImplicit(x, weights, bias, 5, 5, 1, 2, y));
            else
            {
                var yRows = prof.Z(n * h * w, filters);
                prof.Time($"conv{index} im2col + GEMM ({filters} filters)", () => B.Conv2dForward(x, weights, 5, 5, 1, 2, cols, yRows));
                prof.Time($"conv{index} bias + NHWC → NCHW", () => B.Conv2dOutput(yRows, bias, y));
            }
            var r = prof.Z(n, filters, h, w);
            prof.Time($"conv{index} ReLU", () => B.Unary(UnaryOp.Relu, y, r));
            var pooled = prof.Z(n, filters, h / 2, w / 2);
            var argmax = Tensor.Zeros([n, filters, h / 2, w / 2], DType.Int32);
            prof.Time($"pool{index} 2×2", () => B.MaxPool2d(r, 2, 2, 2, 0, pooled, argmax));
            return new ConvBlock(index, isImplicit, x, weights, cols, r, argmax, pooled);
        }

        /// <summary>Times the block's backward ops: pool, ReLU, dx (when asked), dW and the bias gradient.</summary>
        public void Backward(OpProfile prof, bool withDx)
        {
            int f = Relu.Dim(1);
            var dp = prof.R(Pooled.Shape);
            var dr = prof.Z(Relu.Shape);
            prof.Time($"pool{Index} backward", () => B.MaxPool2dBackward(dp, ArgMax, dr));
            var dy = prof.Z(Relu.Shape);
            prof.Time($"conv{Index} ReLU backward", () => B.ReluBackward(Relu, dr, dy));
            var dx = prof.Z(X.Shape);
            var dw = prof.Z(W.Shape);
            if (Implicit)
            {
                if (withDx) prof.Time($"conv{Index} backward dx (implicit)", () => B.Conv2dImplicitBackward(dy, X, W, 5, 5, 1, 2, dx, null));
                prof.Time($"conv{Index} backward dW (window rows + GEMM)", () => B.Conv2dImplicitBackward(dy, X, W, 5, 5, 1, 2, null, dw));
            }
            else
            {
                var g = prof.Z(Cols.Dim(0), f);
                prof.Time($"conv{Index} gradient NCHW → NHWC", () => B.Permute(dy, [0, 2, 3, 1], g));
                if (withDx) prof.Time($"conv{Index} backward dx (GEMM + col2im)", () => B.Conv2dBackward(g, W, Cols, 5, 5, 1, 2, X.Shape, dx, null));
                var dwT = prof.Z(Cols.Dim(1), f);
                prof.Time($"conv{Index} backward dW (GEMM)", () => B.Conv2dBackward(g, W, Cols, 5, 5, 1, 2, X.Shape, null, dwT));
            }
            var db = prof.Z(f);
            prof.Time($"conv{Index} bias gradient", () => B.ConvBiasGrad(dy, db));
        }
    }
}
