using Engine.Functional;
using Engine.Nn;
using Engine.Optim;
using Engine.Scratch;

namespace Engine.Hostile;

public static partial class FuzzOps
{
    /// <summary>The rest of the tensor API, the DLfS networks, every optimiser and the small modules.</summary>
    private static IEnumerable<FuzzOp> MoreOps() =>
    [
        Binary("Pow", (a, b) => a ^ b, Math.Pow),
        Op("RSub", d => { var x = d.Tensor("x"); double s = d.Double("s"); return Call("RSub", d, () => s - x, r => Expect.Unary(r, x, v => In(x, s) - v)); }, "Sub"),
        Op("GreaterScalar", d => { var x = d.Tensor("x"); double s = d.Double("s"); return Call("Greater", d, () => x.Greater(s), r => Expect.Unary(r, x, v => v > In(x, s) ? 1 : 0)); }, "Greater"),
        Op("Min", d => { var x = d.Tensor("x"); return Call("Min", d, () => x.Min(), r => Expect.Alive(x) ?? (Tensor.SizeOf(x.Shape) == 0 ? "succeeded on an empty tensor" : Expect.Shape(r, []))); }),
        Op("SubInPlace", d => { var a = d.Tensor("a"); var b = d.Tensor("b", d.Like(a.Shape)); return Call("SubInPlace", d, () => a.SubInPlace(b), r => Expect.Alive(b) ?? Expect.Shape(r, a.Shape)); }),
        Op("MulInPlaceTensor", d => { var a = d.Tensor("a"); var b = d.Tensor("b", d.Like(a.Shape)); return Call("MulInPlace", d, () => a.MulInPlace(b), r => Expect.Alive(b) ?? Expect.Shape(r, a.Shape)); }, "MulInPlace"),
        Op("AddInPlaceScalar", d => { var a = d.Tensor("a"); double s = d.Double("s"); return Call("AddInPlace", d, () => a.AddInPlace(s), r => Expect.Shape(r, a.Shape)); }, "AddInPlace"),
        Op("View", d => { var x = d.Tensor("x"); var s = d.Shape("shape"); return Call("View", d, () => x.View(s), r => Expect.Alive(x) ?? Expect.Shape(r, s)); }, "Reshape"),
        Op("SumTo", d => { var x = d.Tensor("x"); var s = d.Like(x.Shape); return Call("SumTo", d, () => x.SumTo(s), r => Expect.Alive(x) ?? Expect.Shape(r, s)); }, "Sum"),
        Op("Detach", d => { var x = d.Tensor("x"); return Call("Detach", d, () => x.Detach(), r => Expect.Unary(r, x, v => v)); }),
        Op("RequiresGrad", d => { var x = d.Tensor("x"); return Call("RequiresGrad", d, () => x.RequiresGrad_(), r => x.DType.IsFloat() ? null : "an integer tensor accepted RequiresGrad"); }),
        Op("ToMatrix", d => { var x = d.Tensor("x"); return Call("ToMatrix", d, () => x.ToMatrix(), r => Expect.Alive(x) ?? (x.Rank == 2 ? null : "succeeded on a tensor that is not 2-D")); }),
        Op("ToArray", d => { var x = d.Tensor("x"); return Call("ToArray", d, () => x.ToArray<float>(), r => x.DType == DType.Float32 ? Expect.Alive(x) : "a float32 read of another dtype succeeded"); }),
        Op("FromMatrix", d => { int r = d.Int("rows", 3), c = d.Int("cols", 3); return Call("From", d, () => Tensor.From(new double[Math.Clamp(r, 0, 8), Math.Clamp(c, 0, 8)]), x => null); }),
        Op("ZerosPinned", d => { var s = d.CreationShape("shape"); return Call("ZerosPinned", d, () => Tensor.ZerosPinned(s), r => Expect.Shape(r, s)); }),
        Op("F.Reduce", d => { var x = d.Tensor("loss"); var red = d.Reduction(); return NoCheck("F.Reduce", d, () => F.Reduce(x, red)); }, "loss", "Sum", "Mean"),
        Op("TwoLayerNet", d =>
        {
            int i = d.Int("input_size", 4), h = d.Int("hidden_size", 4), o = d.Int("output_size", 3);
            var x = d.Tensor("x", [2, Math.Clamp(i, 0, 6)]);
            var t = d.Labels("t", 2, Math.Max(o, 1));
            return NoCheck("TwoLayerNet", d, () => new TwoLayerNet(i, h, o, generator: new Generator(1)).Gradient(x, t));
        }, "TwoLayerNet", "Affine", "SoftmaxWithLoss", "CrossEntropy", "Normal", "MatMul", "Add", "WeightInit"),
        Op("MultiLayerNet", d =>
        {
            int i = d.Int("input_size", 4), h = d.Int("hidden", 4), o = d.Int("output_size", 3);
            string act = d.Pick("relu", "sigmoid", "tanh");
            var x = d.Tensor("x", [2, Math.Clamp(i, 0, 6)]);
            var t = d.Labels("t", 2, Math.Max(o, 1));
            return NoCheck("MultiLayerNet", d, () => new MultiLayerNet(i, [h, h], o, act, generator: new Generator(1)).Gradient(x, t));
        }, "MultiLayerNet", "Affine", "SoftmaxWithLoss", "CrossEntropy", "Normal", "MatMul", "Add", "WeightInit", "He", "Xavier"),
        Op("SimpleConvNet", d =>
        {
            int c = d.Int("channels", 2), side = d.Int("side", 8), f = d.Int("filter_num", 3), k = d.Int("filter_size", 3);
            var x = d.Tensor("x", [2, Math.Clamp(c, 0, 6), Math.Clamp(side, 0, 6), Math.Clamp(side, 0, 6)]);
            var t = d.Labels("t", 2, 10);
            return NoCheck("SimpleConvNet", d, () => new SimpleConvNet([c, side, side], f, k, hiddenSize: 4, generator: new Generator(1)).Gradient(x, t));
        }, "SimpleConvNet", "Convolution", "Pooling", "Affine", "SoftmaxWithLoss", "CrossEntropy", "Normal", "WeightInit", "Im2Col", "Reshape"),
        Op("Optimizers", d =>
        {
            var p = d.Tensor("param");
            var g = d.Tensor("grad", d.Like(p.Shape));
            double lr = d.Double("lr", 0.1);
            string kind = d.Pick("Momentum", "Nesterov", "AdaGrad", "RmsProp");
            return NoCheck(kind, d, () =>
            {
                Optimizer o = kind switch { "Momentum" => new Momentum(lr), "Nesterov" => new Nesterov(lr), "AdaGrad" => new AdaGrad(lr), _ => new RmsProp(lr) };
                o.Update(new Dictionary<string, Tensor> { ["w"] = p }, new Dictionary<string, Tensor> { ["w"] = g });
                return p;
            });
        }, "Momentum", "Nesterov", "AdaGrad", "RmsProp", "Sgd", "SGD", "Update", "Optimizer"),
        Op("Optim.Step", d =>
        {
            var p = d.Tensor("param", floatOnly: d.Chance(0.5));
            bool withGrad = d.Chance(0.7);
            return NoCheck("Adam.Step", d, () =>
            {
                if (withGrad && !p.IsDisposed && p.DType.IsFloat()) { p.RequiresGrad = true; (p * p).Sum().Backward(); }
                var o = new Adam([p], lr: 0.01);
                o.Step();
                return p;
            });
        }, "Adam", "Mul", "Sum", "RequiresGrad"),
        Op("nn.Identity/BCELoss", d =>
        {
            var x = d.Tensor("input");
            var t = d.Tensor("target", d.Like(x.Shape));
            return NoCheck("nn.BCELoss", d, () => new BCELoss().Forward(new Identity().Forward(new Nn.Sigmoid().Forward(x)), t));
        }, "BCELoss", "Sigmoid", "Log", "Mul", "Sub", "Mean"),
        Op("Scratch.MulLayer", d =>
        {
            double a = d.Double("x", 2), b = d.Double("y", 3), g = d.Double("dout", 1);
            return Call("MulLayer", d, () => { var l = new MulLayer(); double y = l.Forward(a, b); var (dx, dy) = l.Backward(g); return (y, dx, dy); },
                r => r is (double y, double dx, double dy) && Same(y, a * b) && Same(dx, g * b) && Same(dy, g * a) ? null : "wrong product or gradients");
        }),
    ];

    private static bool Same(double got, double want) => double.IsNaN(want) ? double.IsNaN(got) : got == want;
}
