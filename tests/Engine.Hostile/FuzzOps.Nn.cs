using Engine.Functional;
using Engine.Nn;
using Engine.Optim;
using Engine.Scratch;

namespace Engine.Hostile;

public static partial class FuzzOps
{
    /// <summary>An image batch [N, C, H, W] (usually) with small sizes, or any tensor.</summary>
    private static Tensor Image(FuzzDraw d, string name) => d.Tensor(name, d.Chance(0.8) ? d.Shape("", 4, record: false) : null);

    /// <summary>(H + 2p − k) / s + 1, the output size PyTorch gives.</summary>
    private static int Out(int h, int k, int s, int p) => (int)((h + 2L * p - k) / s + 1);

    private static string? ConvShape(object? r, Tensor x, int f, int k, int s, int p) =>
        Expect.Shape(r, [x.Shape[0], f, Out(x.Shape[2], k, s, p), Out(x.Shape[3], k, s, p)]);

    private static string? PoolShape(object? r, Tensor x, int k, int s, int p) =>
        Expect.Shape(r, [x.Shape[0], x.Shape[1], Out(x.Shape[2], k, s, p), Out(x.Shape[3], k, s, p)]);

    private static IEnumerable<FuzzOp> NnOps() =>
    [
        Op("Linear", d =>
        {
            var x = d.Tensor("x");
            int inF = x.Rank > 0 && d.Chance(0.7) ? x.Shape[^1] : d.Int("in", 3);
            var w = d.Tensor("weight", [d.Rng.Next(4), inF]);
            var b = d.Chance(0.5) ? d.Tensor("bias", [w.Shape[0]]) : null;
            return Call("F.Linear", d, () => F.Linear(x, w, b), r => Expect.Alive(x, w, b) ?? Expect.Shape(r, [.. x.Shape[..^1], w.Shape[0]]));
        }, "MatMul", "Add", "Reshape"),
        Op("Dropout", d => { var x = d.Tensor("x"); double p = d.Double("p"); return Call("F.Dropout", d, () => F.Dropout(x, p, generator: new Generator(1)), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }),
        Op("MSELoss", d => { var x = d.Tensor("input"); var t = d.Tensor("target", d.Like(x.Shape)); var red = d.Reduction(); return NoCheck("F.Mse", d, () => F.Mse(x, t, red)); }, "Sub", "Square", "Mean", "Sum"),
        Op("BCELoss", d =>
        {
            var x = d.Tensor("input");
            var t = d.Tensor("target", d.Like(x.Shape));
            return Call("F.BinaryCrossEntropy", d, () => F.BinaryCrossEntropy(x, t), r =>
                Expect.Alive(x, t) ?? (x.ToDoubleArray().Any(v => !(v >= 0 && v <= 1)) ? "succeeded on an input outside [0, 1]" : Expect.Shape(r, [])));
        }, "Log", "Mul", "Sub", "Mean"),
        Op("CrossEntropyLoss", d =>
        {
            var x = d.Tensor("logits", d.Chance(0.8) ? d.Shape("", 2, record: false) : null);
            var t = d.Chance(0.7) ? d.Labels("target", x.Rank > 0 ? x.Shape[0] : 1, x.Rank > 1 ? x.Shape[1] : 2) : d.Tensor("target", d.Like(x.Shape));
            var red = d.Reduction();
            return NoCheck("F.CrossEntropy", d, () => F.CrossEntropy(x, t, reduction: red));
        }, "CrossEntropy"),
        Op("NLLLoss", d =>
        {
            var x = d.Tensor("logProbs", d.Chance(0.8) ? d.Shape("", 2, record: false) : null);
            var t = d.Labels("target", x.Rank > 0 ? x.Shape[0] : 1, x.Rank > 1 ? x.Shape[1] : 2);
            return NoCheck("F.NllLoss", d, () => F.NllLoss(x, t));
        }, "OneHot", "Mul", "Sum", "Mean"),
        Op("Conv2d", d =>
        {
            var x = Image(d, "x");
            int c = x.Rank == 4 && d.Chance(0.8) ? x.Shape[1] : d.Int("in_channels", 3);
            int k = d.Int("kernel", 3), s = d.Int("stride", 2), p = d.Int("padding", 2);
            var w = d.Tensor("weight", [d.Rng.Next(1, 4), c, Math.Clamp(k, 0, 5), Math.Clamp(k, 0, 5)]);
            return Call("F.Conv2d", d, () => F.Conv2d(x, w, null, s, p), r => Expect.Alive(x, w) ?? ConvShape(r, x, w.Shape[0], w.Shape[2], s, p));
        }, "Empty", "Zeros"),
        Op("Im2Col", d =>
        {
            var x = Image(d, "x");
            int k = d.Int("kernel", 3), s = d.Int("stride", 2), p = d.Int("padding", 2);
            return Call("F.Im2Col", d, () => F.Im2Col(x, k, k, s, p), r => Expect.Alive(x) ?? Expect.Shape(r,
                [x.Shape[0] * Out(x.Shape[2], k, s, p) * Out(x.Shape[3], k, s, p), x.Shape[1] * k * k]));
        }, "Empty", "Zeros"),
        Op("Col2Im", d =>
        {
            var shape = d.Shape("input_shape", 4);
            int k = d.Int("kernel", 3), s = d.Int("stride", 2), p = d.Int("padding", 2);
            var cols = d.Tensor("cols", d.Shape("", 2, record: false));
            return Call("F.Col2Im", d, () => F.Col2Im(cols, shape, k, k, s, p), r => Expect.Alive(cols) ?? Expect.Shape(r, shape));
        }, "Empty", "Zeros"),
        Op("MaxPool2d", d =>
        {
            var x = Image(d, "x");
            int k = d.Int("kernel", 3), s = d.Int("stride", 2), p = d.Int("padding", 1);
            return Call("F.MaxPool2d", d, () => F.MaxPool2d(x, kernelSize: k, stride: s, padding: p), r => Expect.Alive(x) ?? PoolShape(r, x, k, s, p));
        }, "Empty", "Zeros"),
        Op("AvgPool2d", d =>
        {
            var x = Image(d, "x");
            int k = d.Int("kernel", 3), s = d.Int("stride", 2), p = d.Int("padding", 1);
            return Call("F.AvgPool2d", d, () => F.AvgPool2d(x, kernelSize: k, stride: s, padding: p), r => Expect.Alive(x) ?? PoolShape(r, x, k, s, p));
        }, "Empty", "Zeros"),
        Op("GlobalAvgPool2d", d => { var x = Image(d, "x"); return Call("F.GlobalAvgPool2d", d, () => F.GlobalAvgPool2d(x), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape[..2])); }),
        Op("BatchNorm", d =>
        {
            var x = d.Tensor("x");
            int c = x.Rank > 1 && d.Chance(0.8) ? x.Shape[1] : d.Int("channels", 3);
            var rm = d.Chance(0.8) ? d.Tensor("running_mean", [c]) : null;
            var rv = rm is not null ? Tensor.Ones([Math.Clamp(c, 0, 6)], rm.IsDisposed ? DType.Float32 : rm.DType) : null;
            bool training = d.Chance(0.5);
            double eps = d.Chance(0.9) ? 1e-5 : d.Double("eps");
            return Call("F.BatchNorm", d, () => F.BatchNorm(x, rm, rv, training: training, eps: eps), r => Expect.Alive(x, rm) ?? Expect.Shape(r, x.Shape));
        }),
        Op("nn.Linear", d =>
        {
            int inF = d.Int("in_features", 4), outF = d.Int("out_features", 4);
            var x = d.Tensor("x", d.Chance(0.7) ? [d.Rng.Next(3), Math.Max(inF, 0)] : null);
            return Call("nn.Linear", d, () => new Linear(inF, outF).Forward(x), r => Expect.Alive(x) ?? Expect.Shape(r, [.. x.Shape[..^1], outF]));
        }, "Linear", "MatMul", "Add", "Rand", "Uniform", "Reshape", "Zeros"),
        Op("nn.Conv2d", d =>
        {
            int c = d.Int("in_channels", 3), f = d.Int("out_channels", 3), k = d.Int("kernel", 3), s = d.Int("stride", 2), p = d.Int("padding", 2);
            var x = Image(d, "x");
            return Call("nn.Conv2d", d, () => new Conv2d(c, f, k, s, p).Forward(x), r => Expect.Alive(x) ?? ConvShape(r, x, f, k, s, p));
        }, "Conv2d", "Rand", "Uniform", "Zeros", "Empty"),
        Op("nn.MaxPool2d", d => { int k = d.Int("kernel", 3); var x = Image(d, "x"); return Call("nn.MaxPool2d", d, () => new MaxPool2d(k).Forward(x), r => Expect.Alive(x) ?? PoolShape(r, x, k, k, 0)); }, "MaxPool2d"),
        Op("nn.AvgPool2d", d => { int k = d.Int("kernel", 3); var x = Image(d, "x"); return Call("nn.AvgPool2d", d, () => new AvgPool2d(k).Forward(x), r => Expect.Alive(x) ?? PoolShape(r, x, k, k, 0)); }, "AvgPool2d"),
        Op("nn.BatchNorm1d", d => { int c = d.Int("num_features", 3); var x = d.Tensor("x"); return Call("nn.BatchNorm1d", d, () => new BatchNorm1d(c).Forward(x), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }, "BatchNorm", "Full", "Zeros"),
        Op("nn.BatchNorm2d", d => { int c = d.Int("num_features", 3); var x = Image(d, "x"); return Call("nn.BatchNorm2d", d, () => new BatchNorm2d(c).Forward(x), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }, "BatchNorm", "Full", "Zeros"),
        Op("nn.Dropout", d => { double p = d.Double("p"); var x = d.Tensor("x"); return Call("nn.Dropout", d, () => new Nn.Dropout(p).Forward(x), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape)); }, "Dropout"),
        Op("nn.Flatten", d => { int a = d.Axis("start_dim", 2); var x = d.Tensor("x"); return Call("nn.Flatten", d, () => new Flatten(a).Forward(x), r => Expect.Alive(x) ?? (r is Tensor t && t.Size == x.Size ? null : "size changed")); }, "Flatten"),
        Op("nn.Sequential", d =>
        {
            int h = d.Int("hidden", 4);
            var x = d.Tensor("x", d.Chance(0.7) ? [d.Rng.Next(3), 3] : null);
            return Call("nn.Sequential", d, () => new Sequential(new Linear(3, h), new ReLU(), new Tanh(), new Nn.Sigmoid(), new Linear(h, 2)).Forward(x),
                r => Expect.Alive(x) ?? Expect.Shape(r, [.. x.Shape[..^1], 2]));
        }, "Linear", "MatMul", "Add", "Rand", "Uniform", "Relu", "Tanh", "Sigmoid", "Reshape"),
        Op("nn.MSELoss", d => { var x = d.Tensor("input"); var t = d.Tensor("target", d.Like(x.Shape)); return NoCheck("nn.MSELoss", d, () => new MSELoss(d.Pick("mean", "sum", "bad")).Forward(x, t)); }, "MSELoss", "Sub", "Square", "Mean", "Sum"),
        Op("nn.CrossEntropyLoss", d => { var x = d.Tensor("logits"); var t = d.Labels("target", x.Rank > 0 ? x.Shape[0] : 1, 3); return NoCheck("nn.CrossEntropyLoss", d, () => new CrossEntropyLoss().Forward(x, t)); }, "CrossEntropy"),
        Op("Scratch.Affine", d =>
        {
            var w = d.Tensor("W", d.Shape("", 2, record: false));
            var b = d.Tensor("b", d.Shape("", 1, record: false));
            var x = d.Tensor("x");
            return NoCheck("Scratch.Affine", d, () => { var l = new Affine(w, b); var y = l.Forward(x); return l.Backward(y); });
        }, "Affine", "MatMul", "Add", "Reshape", "Sum"),
        Op("Scratch.Relu", d => { var x = d.Tensor("x"); var g = d.Tensor("dout", d.Like(x.Shape)); return NoCheck("Scratch.Relu", d, () => { var l = new Scratch.Relu(); if (d.Chance(0.8)) l.Forward(x); return l.Backward(g); }); }, "Relu"),
        Op("Scratch.SoftmaxWithLoss", d =>
        {
            var x = d.Tensor("x", d.Chance(0.8) ? d.Shape("", 2, record: false) : null);
            var t = d.Chance(0.5) ? d.Labels("t", x.Rank > 0 ? x.Shape[0] : 1, x.Rank > 1 ? x.Shape[1] : 2) : d.Tensor("t", d.Like(x.Shape));
            return NoCheck("Scratch.SoftmaxWithLoss", d, () => { var l = new SoftmaxWithLoss(); l.Forward(x, t); return l.Backward(); });
        }, "SoftmaxWithLoss", "CrossEntropy"),
        Op("Scratch.Convolution", d =>
        {
            var w = d.Tensor("W", d.Shape("", 4, record: false));
            var b = d.Tensor("b", [w.Shape[0]]);
            int s = d.Int("stride", 2), p = d.Int("pad", 2);
            var x = Image(d, "x");
            return NoCheck("Scratch.Convolution", d, () => { var l = new Convolution(w, b, s, p); var y = l.Forward(x); return l.Backward(y); });
        }, "Convolution", "Im2Col", "Col2Im", "MatMul", "Add", "Reshape", "Permute", "Empty", "Zeros"),
        Op("Scratch.Pooling", d =>
        {
            int k = d.Int("pool", 3), s = d.Int("stride", 2), p = d.Int("pad", 1);
            var x = Image(d, "x");
            return NoCheck("Scratch.Pooling", d, () => { var l = new Pooling(k, k, s, p); var y = l.Forward(x); return l.Backward(y); });
        }, "Pooling", "Empty", "Zeros"),
        Op("Scratch.BatchNormalization", d =>
        {
            var x = d.Tensor("x");
            int c = x.Rank > 1 && d.Chance(0.8) ? (int)(Tensor.SizeOf(x.Shape) / Math.Max(x.Shape[0], 1)) : d.Int("features", 3);
            var g = d.Tensor("gamma", [Math.Max(c, 0)]);
            return NoCheck("Scratch.BatchNormalization", d, () => { var l = new BatchNormalization(g, Tensor.ZerosLike(g), d.Double("momentum", 0.9)); var y = l.Forward(x, d.Chance(0.5)); return l.Backward(y); });
        }, "BatchNormalization", "BatchNorm", "ZerosLike"),
        Op("Optim", d =>
        {
            var p = d.Tensor("param");
            var grad = d.Tensor("grad", d.Like(p.Shape));
            double lr = d.Double("lr", 0.1);
            bool adam = d.Chance(0.5);
            return NoCheck(adam ? "Adam" : "Sgd", d, () =>
            {
                Optimizer o = adam ? new Adam(lr: lr) : new Sgd(lr: lr, momentum: d.Double("momentum", 0.9));
                o.Update(new Dictionary<string, Tensor> { ["w"] = p }, new Dictionary<string, Tensor> { ["w"] = grad });
                return p;
            });
        }, "Adam", "Sgd", "SGD", "Momentum", "Update", "Optimizer"),
    ];
}
