using Engine.Data;
using Engine.IO;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Hostile;

public static partial class FuzzOps
{
    /// <summary>Data sets and loaders, the random generator, weight init, state dicts, schedulers and a few more layers.</summary>
    private static IEnumerable<FuzzOp> DataOps() =>
    [
        Op("Permutation", d => { int n = d.Int("n", 8); return Call("Generator.Permutation", d, () => new Generator(1).Permutation(n),
            r => r is int[] p && p.Order().SequenceEqual(Enumerable.Range(0, n)) ? null : "not a permutation of 0..n−1"); }),
        Op("Choice", d => { int c = d.Int("count", 8), n = d.Int("n", 8); return Call("Generator.Choice", d, () => new Generator(1).Choice(c, n),
            r => r is int[] p && p.Length == n && p.All(i => i >= 0 && i < c) ? null : "indices outside 0..count−1"); }),
        Op("DataLoader", d =>
        {
            var x = d.Tensor("x");
            var y = d.Tensor("y", x.Rank > 0 && d.Chance(0.7) ? [x.Shape[0]] : null);
            int batch = d.Int("batch_size", 3);
            bool shuffle = d.Chance(0.5), dropLast = d.Chance(0.3);
            return Call("DataLoader", d, () => new DataLoader(new TensorDataset(x, y), batch, shuffle, seed: 1, dropLast: dropLast).Select(b => b.X.Shape[0]).ToArray(),
                r => r is int[] sizes && sizes.Sum() <= x.Shape[0] && sizes.All(s => s <= batch) ? null : "batches do not tile the data set");
        }, "TensorDataset", "IndexSelect"),
        Op("StandardScaler", d =>
        {
            var x = d.Tensor("x");
            var other = d.Tensor("other", d.Like(x.Shape));
            return Call("StandardScaler", d, () => new StandardScaler().Fit(x).Transform(other), r => Expect.Alive(x, other) ?? Expect.Shape(r, other.Shape));
        }, "Mean", "Sub", "Div", "Sqrt", "Sum"),
        Op("Init", d =>
        {
            var t = d.Tensor("tensor");
            string kind = d.Pick("uniform", "normal", "kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal", "constant");
            double a = d.Double("a", 1);
            return Call("Init." + kind, d, () => kind switch
            {
                "uniform" => Init.Uniform(t, -a, a, new Generator(1)),
                "normal" => Init.Normal(t, 0, a, new Generator(1)),
                "kaiming_uniform" => Init.KaimingUniform(t, a, generator: new Generator(1)),
                "kaiming_normal" => Init.KaimingNormal(t, a, generator: new Generator(1)),
                "xavier_uniform" => Init.XavierUniform(t, a, new Generator(1)),
                "xavier_normal" => Init.XavierNormal(t, a, new Generator(1)),
                _ => Init.Constant(t, a),
            }, r => Expect.Alive(t) ?? Expect.Shape(r, t.Shape));
        }, "Init", "Uniform", "Normal", "Kaiming", "Xavier", "Constant", "Fans", "FillInPlace", "CopyFrom"),
        Op("LoadStateDict", d =>
        {
            var w = d.Tensor("weight", d.Chance(0.6) ? [2, 3] : null);
            var b = d.Tensor("bias", d.Chance(0.6) ? [2] : null);
            bool strict = d.Chance(0.7);
            var state = new Dictionary<string, Tensor> { ["weight"] = w };
            if (d.Chance(0.8)) state["bias"] = b;
            if (d.Chance(0.2)) state["extra"] = b;
            return NoCheck("Module.LoadStateDict", d, () => { new Linear(3, 2).LoadStateDict(state, strict); return null; });
        }, "LoadStateDict", "CopyFrom"),
        Op("SafeTensors.Save", d =>
        {
            var t = d.Tensor("tensor");
            string name = d.Pick("w", "", "__metadata__", "a/b", "ü");
            string path = Path.Combine(Path.GetTempPath(), $"engine-fuzz-{Environment.ProcessId}.safetensors");
            return Call("SafeTensors.Save", d, () =>
            {
                SafeTensors.Save(path, [new(name, t)]);
                var back = SafeTensors.Load(path)[name];
                return back;
            }, r => Expect.Unary(r, t, v => v));
        }, "SafeTensors"),
        Op("StepLR", d =>
        {
            int step = d.Int("step_size", 3);
            double gamma = d.Double("gamma", 0.5), lr = d.Double("lr", 0.1);
            return NoCheck("StepLR", d, () => { var s = new StepLR(new Sgd(lr: lr), step, gamma); return s.LearningRateAt(d.Int("epoch", 5)); });
        }, "Sgd", "SGD", "LRScheduler"),
        Op("Scratch.Dropout", d =>
        {
            double p = d.Double("ratio", 0.5);
            var x = d.Tensor("x");
            var g = d.Tensor("dout", d.Like(x.Shape));
            return NoCheck("Scratch.Dropout", d, () => { var l = new Scratch.Dropout(p, new Generator(1)); if (d.Chance(0.8)) l.Forward(x); return l.Backward(g); });
        }, "Dropout"),
        Op("Scratch.Sigmoid", d => { var x = d.Tensor("x"); var g = d.Tensor("dout", d.Like(x.Shape)); return NoCheck("Scratch.Sigmoid", d, () => { var l = new Scratch.Sigmoid(); if (d.Chance(0.8)) l.Forward(x); return l.Backward(g); }); }, "Sigmoid"),
        Op("nn.GlobalAvgPool2d", d => { var x = Image(d, "x"); return Call("nn.GlobalAvgPool2d", d, () => new GlobalAvgPool2d().Forward(x), r => Expect.Alive(x) ?? Expect.Shape(r, x.Shape[..2])); }, "GlobalAvgPool2d"),
        Op("Module.To", d => { var x = d.Tensor("x", [2, 3]); return NoCheck("Module.To", d, () => new Linear(3, 2).To(Device.Cpu).Forward(x)); }, "Linear", "MatMul"),
    ];
}
