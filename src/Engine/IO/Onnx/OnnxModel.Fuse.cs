namespace Engine.IO.Onnx;

// Inference fusion plans for OnnxModel.Run (no graph recorded): which Relu a Conv or Add applies in its own output
// pass, and which residual Add (with its Relu) a Conv applies in its output pass, as ONNX Runtime fuses Conv+Relu
// and Conv+Add+Relu. The skipped nodes' work is done by the node that absorbs them, with the same bits.
public sealed partial class OnnxModel
{
    /// <summary>Node indices reading each value name (a node reading a name twice is listed twice).</summary>
    private Dictionary<string, List<int>> Readers()
    {
        var readers = new Dictionary<string, List<int>>();
        for (int i = 0; i < _nodes.Length; i++)
            foreach (var input in _nodes[i].Inputs.Where(n => n.Length > 0))
            {
                if (!readers.TryGetValue(input, out var list)) readers[input] = list = [];
                list.Add(i);
            }
        return readers;
    }

    /// <summary>Whether node i's one output is read by one node alone (once) and is neither a graph output, asked for, nor given; that reader is returned.</summary>
    private bool OnlyReader(int i, Dictionary<string, List<int>> readers, HashSet<string> wanted, IReadOnlyDictionary<string, Tensor> inputs, out int reader)
    {
        reader = -1;
        var node = _nodes[i];
        if (node.Outputs.Count != 1) return false;
        string o = node.Outputs[0];
        if (wanted.Contains(o) || inputs.ContainsKey(o) || OutputNames.Contains(o) || !readers.TryGetValue(o, out var r) || r.Count != 1) return false;
        reader = r[0];
        return reader > i;
    }

    /// <summary>
    /// Conv or Add node index → index of the Relu that it absorbs: pairs of needed nodes where the Conv's or Add's
    /// one output is read by that Relu alone (once, anywhere in the graph) and is neither a graph output, asked for, nor given.
    /// </summary>
    private Dictionary<int, int> ReluPairs(bool[] needed, HashSet<string> wanted, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var readers = Readers();
        var pairs = new Dictionary<int, int>();
        for (int i = 0; i < _nodes.Length; i++)
        {
            if (!needed[i] || _nodes[i].OpType is not ("Conv" or "Add") || !OnlyReader(i, readers, wanted, inputs, out int r)) continue;
            var relu = _nodes[r];
            if (needed[r] && relu.OpType == "Relu" && relu.Inputs.Count == 1 && relu.Outputs.Count == 1) pairs[i] = r;
        }
        return pairs;
    }

    /// <summary>
    /// Conv node index → index of the Add that it absorbs: an Add of two inputs, one the Conv's one output, read by
    /// this Add alone (<see cref="OnlyReader"/>), the other (the residual) given, a weight, or made by a node before the
    /// Conv, and read by no node between the Conv and the Add (so it can be freed when the Conv has run). Where both
    /// inputs are such Conv outputs (a projection shortcut), the later Conv absorbs the Add.
    /// </summary>
    private Dictionary<int, int> AddPairs(bool[] needed, HashSet<string> wanted, IReadOnlyDictionary<string, Tensor> inputs, Dictionary<string, int> producedBy)
    {
        var readers = Readers();
        var pairs = new Dictionary<int, int>();
        for (int j = 0; j < _nodes.Length; j++)
        {
            var add = _nodes[j];
            if (!needed[j] || add.OpType != "Add" || add.Inputs.Count != 2 || add.Outputs.Count != 1 || add.Inputs[0] == add.Inputs[1]) continue;
            int best = -1;
            for (int side = 0; side < 2; side++)
            {
                string o = add.Inputs[side], residual = add.Inputs[1 - side];
                if (!producedBy.TryGetValue(o, out int i) || !needed[i] || _nodes[i].OpType != "Conv" || !OnlyReader(i, readers, wanted, inputs, out int r) || r != j) continue;
                if (residual.Length == 0 || _integers.ContainsKey(residual)) continue;
                bool ready = !producedBy.TryGetValue(residual, out int p) || inputs.ContainsKey(residual) || p < i;
                bool unreadBetween = !readers.TryGetValue(residual, out var rs) || rs.All(k => k <= i || k >= j);
                if (ready && unreadBetween && i > best) best = i;
            }
            if (best >= 0) pairs[best] = j;
        }
        return pairs;
    }
}
