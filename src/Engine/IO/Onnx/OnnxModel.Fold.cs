namespace Engine.IO.Onnx;

// Folding BatchNormalization into the convolution before it, for inference (what ONNX Runtime's graph
// optimiser does). In eval mode BN is a per-channel affine map of the conv's output y[f]:
//   BN(y)[f] = (y[f] − mean[f]) · s[f] + β[f],   s[f] = γ[f] / √(var[f] + ε),
// and y[f] = W[f] ∗ x + b[f], so BN(conv(x)) = conv'(x) with
//   W'[f] = W[f] · s[f]   (every tap of output channel f),   b'[f] = (b[f] − mean[f]) · s[f] + β[f].
// The new weights are computed in float64 and rounded once to the model's float type.
public sealed partial class OnnxModel
{
    /// <summary>
    /// A new model for inference in which every BatchNormalization that reads a Conv's output (when the BN
    /// is that output's only reader and the Conv's weight and bias feed no other node) is folded into the
    /// Conv's weight and bias: one node instead of two, no separate pass over the activations. The folded
    /// Conv keeps its name, writes the BatchNormalization's output name, and its weight and bias keep the
    /// Conv's initializer names (a Conv without bias gets "&lt;conv name&gt;.folded_bias"); the BN's
    /// initializers are left out. This model is not changed (training, gradients and the conv's own output
    /// stay as imported). The copy is in eval mode; training it trains a network without batch norm, so
    /// fine-tune the unfolded model and fold afterwards. Its tensors are new, on the device of this model's.
    /// <code>
    /// var fast = ResNet18Onnx.Load().FoldBatchNorm();   // 20 Conv+BN pairs become 20 Conv nodes
    /// </code>
    /// </summary>
    public OnnxModel FoldBatchNorm()
    {
        var readers = new Dictionary<string, int>();
        foreach (var n in _nodes)
            foreach (var input in n.Inputs.Where(s => s.Length > 0)) readers[input] = readers.GetValueOrDefault(input) + 1;
        foreach (var o in OutputNames) readers[o] = readers.GetValueOrDefault(o) + 1;

        var producer = new Dictionary<string, int>();
        for (int i = 0; i < _nodes.Length; i++) foreach (var o in _nodes[i].Outputs) producer[o] = i;

        var nodes = _nodes.Select(n => (OnnxNode?)n).ToList();
        var replaced = new Dictionary<string, Tensor>();   // conv weight/bias name → folded tensor
        var added = new Dictionary<string, (string After, Tensor Bias)>(); // new bias name → (its weight's name, tensor)
        var skip = new HashSet<int>();
        for (int i = 0; i < _nodes.Length; i++)
        {
            var bn = _nodes[i];
            if (bn.OpType != "BatchNormalization" || bn.Inputs.Count < 5) continue;
            if (!producer.TryGetValue(bn.Inputs[0], out int ci) || skip.Contains(ci)) continue;
            var conv = _nodes[ci];
            bool hasBias = conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0;
            if (conv.OpType != "Conv" || readers[bn.Inputs[0]] != 1 || !_weights.ContainsKey(conv.Inputs[1])
                || readers[conv.Inputs[1]] != 1 || (hasBias && (!_weights.ContainsKey(conv.Inputs[2]) || readers[conv.Inputs[2]] != 1))
                || bn.Inputs.Skip(1).Take(4).Any(n => !_weights.ContainsKey(n)))
                continue;
            double eps = bn.Float("epsilon", 1e-5f);
            var (w, b) = Fold(_weights[conv.Inputs[1]], hasBias ? _weights[conv.Inputs[2]] : null,
                _weights[bn.Inputs[1]], _weights[bn.Inputs[2]], _weights[bn.Inputs[3]], _weights[bn.Inputs[4]], eps, bn.Where);
            replaced[conv.Inputs[1]] = w;
            string biasName = hasBias ? conv.Inputs[2] : conv.Name + ".folded_bias";
            if (hasBias) replaced[biasName] = b;
            else
            {
                if (_weights.ContainsKey(biasName) || producer.ContainsKey(biasName) || added.ContainsKey(biasName))
                    throw new InvalidOperationException($"ONNX: cannot fold {bn.Where}: the name '{biasName}' for the new bias is already taken in {Source}.");
                added[biasName] = (conv.Inputs[1], b);
            }
            nodes[ci] = conv.With([conv.Inputs[0], conv.Inputs[1], biasName], [bn.Outputs[0]]);
            skip.Add(ci);
            skip.Add(i);
            nodes[i] = null;
        }
        var kept = nodes.OfType<OnnxNode>().ToArray();

        // Initializers still read by a node (or given as a graph output), in the original order; copies, so the two models are independent.
        var used = new HashSet<string>(kept.SelectMany(n => n.Inputs).Concat(OutputNames));
        var weights = new List<KeyValuePair<string, Tensor>>();
        var bufferNames = new HashSet<string>(NamedBuffers().Select(b => b.Name));
        foreach (var (name, t) in NamedParameters().Concat(NamedBuffers()))
        {
            if (!used.Contains(name)) continue;
            weights.Add(new(name, replaced.TryGetValue(name, out var f) ? f : t.Clone()));
            foreach (var (biasName, (after, bias)) in added)
                if (after == name) weights.Add(new(biasName, bias));
        }
        return new OnnxModel(this, kept, weights, bufferNames, Source + " (BatchNormalization folded)");
    }

    /// <summary>W' = W · s and b' = (b − mean) · s + β per output channel f, s = γ / √(var + ε); float64 sums, one rounding.</summary>
    private static (Tensor W, Tensor B) Fold(Tensor w, Tensor? b, Tensor gamma, Tensor beta, Tensor mean, Tensor var, double eps, string where)
    {
        int f = w.Dim(0);
        foreach (var (t, what) in new[] { (gamma, "scale"), (beta, "B"), (mean, "mean"), (var, "var") })
            if (t.Size != f) throw new InvalidDataException($"ONNX: {where}: {what} has {t.Size} values but the Conv before it has {f} output channels.");
        if (b is not null && b.Size != f) throw new InvalidDataException($"ONNX: {where}: the Conv's bias has {b.Size} values for {f} output channels.");
        double[] wv = w.ToDoubleArray(), g = gamma.ToDoubleArray(), bt = beta.ToDoubleArray(), m = mean.ToDoubleArray(), v = var.ToDoubleArray();
        double[]? bv = b?.ToDoubleArray();
        int per = (int)(w.Size / f);
        var bias = new double[f];
        for (int c = 0; c < f; c++)
        {
            double s = g[c] / Math.Sqrt(v[c] + eps);
            for (int k = 0; k < per; k++) wv[c * per + k] *= s;
            bias[c] = ((bv?[c] ?? 0) - m[c]) * s + bt[c];
        }
        return (Tensor.FromDoubles(wv, w.Shape, w.DType, w.Device), Tensor.FromDoubles(bias, [f], w.DType, w.Device));
    }
}
