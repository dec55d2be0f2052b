using System.Text.Json;
using Engine;
using Engine.IO;
using Engine.IO.Onnx;

namespace Chapters.Bench;

/// <summary>
/// Writes an imported ONNX model for a PyTorch peer script: a safetensors file with its initializers (ONNX
/// names), any extra tensors (inputs, reference outputs), and in its metadata the graph ("graph": the
/// input name and the nodes in order, each with op, inputs, outputs and attributes) plus any other
/// metadata entries. bench/style_peer.py and bench/resnet18_peer.py rebuild the network from it.
/// </summary>
public static class OnnxGraphExport
{
    /// <summary>Writes the file (atomically, by SafeTensors.Save).</summary>
    public static void Save(string path, OnnxModel model, IEnumerable<KeyValuePair<string, Tensor>> extra, IReadOnlyDictionary<string, string> metadata, string who)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>(model.StateDict());
        tensors.AddRange(extra);
        var nodes = model.Nodes.Where(n => n.OpType != "Constant").Select(n => new Dictionary<string, object>
        {
            ["op"] = n.OpType,
            ["inputs"] = n.Inputs,
            ["outputs"] = n.Outputs,
            ["attrs"] = Attributes(n, who),
        }).ToList();
        var all = new Dictionary<string, string>(metadata)
        {
            ["graph"] = JsonSerializer.Serialize(new { input = model.InputNames[0], output = model.OutputNames[0], nodes }),
        };
        SafeTensors.Save(path, tensors, all);
    }

    /// <summary>The attributes of Conv, pooling and batch-norm nodes, by type; any other attribute is an error naming <paramref name="who"/>.</summary>
    private static Dictionary<string, object> Attributes(OnnxNode n, string who)
    {
        var a = new Dictionary<string, object>();
        foreach (var name in new[] { "pads", "strides", "kernel_shape", "dilations" })
            if (n.Ints(name) is { } v) a[name] = v;
        foreach (var name in new[] { "group", "ceil_mode", "count_include_pad" })
            if (n.Has(name)) a[name] = n.Int(name, 0);
        if (n.Has("auto_pad")) a["auto_pad"] = n.String("auto_pad", "NOTSET");
        if (n.Has("epsilon")) a["epsilon"] = n.Float("epsilon", 1e-5f);
        foreach (var name in n.AttributeNames)
            if (!a.ContainsKey(name) && name is not ("momentum" or "spatial" or "storage_order"))
                throw new NotSupportedException($"{who}: attribute '{name}' of {n} is not exported.");
        return a;
    }
}
