using System.Text.Json;
using Engine;
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
    public static void Save(string path, OnnxModel model, Tensor content, Tensor style, IReadOnlyDictionary<string, object> settings) =>
        OnnxGraphExport.Save(path, model, [new("__content__", content), new("__style__", style)],
            new Dictionary<string, string> { ["settings"] = JsonSerializer.Serialize(settings) }, "bench style");
}
