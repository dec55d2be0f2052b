using System.Text.Json;
using Engine;
using Engine.IO;
using Engine.IO.Onnx;

namespace Chapters.Bench;

/// <summary>
/// Writes what `bench style` hands PyTorch: a safetensors file with the ResNet18's weights (ONNX initializer
/// names), the preprocessed content and style images, and in its metadata the graph ("graph": the nodes
/// in order with their attributes) and the loss settings ("settings"), which bench/style_peer.py rebuilds
/// and runs with torch.nn.functional.
/// </summary>
public static class StyleExport
{
    /// <summary>Writes the file (atomically, by SafeTensors.Save).</summary>
    public static void Save(string path, OnnxModel model, Tensor content, Tensor style, IReadOnlyDictionary<string, object> settings)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>(model.StateDict()) { new("__content__", content), new("__style__", style) };
        var nodes = model.Nodes.Where(n => n.OpType != "Constant").Select(n => new Dictionary<string, object>
        {
            ["op"] = n.OpType,
            ["inputs"] = n.Inputs,
            ["outputs"] = n.Outputs,
            ["attrs"] = Attributes(n),
        }).ToList();
        var metadata = new Dictionary<string, string>
        {
            ["graph"] = JsonSerializer.Serialize(new { input = model.InputNames[0], nodes }),
            ["settings"] = JsonSerializer.Serialize(settings),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>The attributes the ResNet18's Conv, pooling and batch-norm nodes use, by type.</summary>
    private static Dictionary<string, object> Attributes(OnnxNode n)
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
                throw new NotSupportedException($"bench style: attribute '{name}' of {n} is not exported.");
        return a;
    }
}
