using System.Text.Json;
using Engine.IO;

namespace Engine.Layers;

public sealed partial class Sequential
{
    /// <summary>Metadata key of the JSON model config inside a saved file.</summary>
    public const string ConfigKey = "model_config";

    /// <summary>
    /// The model config as Keras writes it: {"class_name": "Sequential", "config": {"name", "layers": [{"class_name", "config"}, …]}}.
    /// </summary>
    public string ToJson()
    {
        var doc = new Dictionary<string, object?>
        {
            ["class_name"] = "Sequential",
            ["config"] = new Dictionary<string, object?>
            {
                ["name"] = Name,
                ["dtype"] = DType.Name(),
                ["layers"] = _layers.Select(Config.Of).ToList(),
            },
        };
        return JsonSerializer.Serialize(doc);
    }

    /// <summary>
    /// Writes the model to one safetensors file: every weight under its Keras name ("dense_1/kernel:0")
    /// and the JSON model config (<see cref="ToJson"/>) in the header's metadata, so weights and config are
    /// written — and replaced — together, atomically (temp file, flush, rename).
    /// </summary>
    public void Save(string path)
    {
        if (_inputShape is null) throw new InvalidOperationException($"{Name}.Save: the model is not built yet (no weights); give the first layer an inputShape or Fit it first.");
        var weights = Weights.Select(w => new KeyValuePair<string, Tensor>(w.FullName, w.Value));
        SafeTensors.Save(path, weights, new Dictionary<string, string> { [ConfigKey] = ToJson(), ["format"] = "engine-keras" });
    }

    /// <summary>Reads a model written by <see cref="Save"/>: rebuilds the layers from the config and copies the weights in.</summary>
    public static Sequential Load(string path, Device? device = null)
    {
        var tensors = SafeTensors.Load(path, out var meta);
        try
        {
            if (!meta.TryGetValue(ConfigKey, out var json))
                throw new InvalidDataException($"Sequential.Load: {path} has no model config (metadata \"{ConfigKey}\"); it is a plain weights file — build the model in code and call LoadWeights.");
            Sequential model;
            try
            {
                using var doc = JsonDocument.Parse(json);
                var cfg = doc.RootElement.GetProperty("config");
                var dtype = cfg.TryGetProperty("dtype", out var dt) && dt.GetString() == "float64" ? DType.Float64 : DType.Float32;
                model = new Sequential(cfg.GetProperty("name").GetString() ?? "sequential_1", dtype: dtype);
                foreach (var l in cfg.GetProperty("layers").EnumerateArray()) model.Add(Config.LayerFrom(l));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"Sequential.Load: {path}: the model config is malformed ({e.Message}).", e);
            }
            model.LoadWeights(tensors, path);
            if (device is not null) model.To(device);
            return model;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Copies weights by Keras name ("conv2d_1/kernel:0") into this built model; every weight must be
    /// present with its shape, and no unknown name may appear. <paramref name="source"/> names the file in errors.
    /// </summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> weights, string source = "weights")
    {
        if (_inputShape is null) throw new InvalidOperationException($"{Name}.LoadWeights: build the model first (inputShape or Build).");
        var mine = Weights.ToDictionary(w => w.FullName);
        var unknown = weights.Keys.Where(k => !mine.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"{Name}.LoadWeights: {source} has weights the model lacks: {string.Join(", ", unknown)}.");
        foreach (var (name, w) in mine)
        {
            if (!weights.TryGetValue(name, out var t))
                throw new InvalidDataException($"{Name}.LoadWeights: {source} has no weight '{name}' (shape {Tensor.ShapeString(w.Value.Shape)}).");
            CopyInto(w, t, source);
        }
    }

    /// <summary>Copies <paramref name="t"/> into weight <paramref name="w"/> (same shape; dtype and device converted).</summary>
    internal static void CopyInto(LayerWeight w, Tensor t, string source)
    {
        if (!t.SameShape(w.Value))
            throw new InvalidDataException($"LoadWeights: {source}: weight '{w.FullName}' has shape {Tensor.ShapeString(t.Shape)}, the model expects {Tensor.ShapeString(w.Value.Shape)}.");
        using (Tensor.NoGrad())
        using (var scope = Tensor.Scope())
            w.Value.CopyFrom(t.To(w.Value.DType).To(w.Value.Device));
    }
}
