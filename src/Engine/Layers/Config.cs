using System.Text.Json;

namespace Engine.Layers;

/// <summary>Model configs as Keras writes them: {"class_name", "config"} per layer and initialiser, and back.</summary>
internal static class Config
{
    /// <summary>{"class_name": …, "config": {…}} of an initialiser.</summary>
    internal static Dictionary<string, object?> Of(Initializer init) => new() { ["class_name"] = init.ClassName, ["config"] = init.Config() };

    /// <summary>{"class_name": …, "config": {name, trainable, batch_input_shape?, …}} of a layer.</summary>
    internal static Dictionary<string, object?> Of(Layer layer)
    {
        var c = new Dictionary<string, object?> { ["name"] = layer.Name, ["trainable"] = layer.Trainable };
        if (layer.DeclaredInputShape is { } s && layer is not InputLayer)
            c["batch_input_shape"] = new int?[] { null }.Concat(s.Select(d => (int?)d)).ToArray();
        foreach (var (k, v) in layer.GetConfig()) c[k] = v;
        return new() { ["class_name"] = layer.ClassName, ["config"] = c };
    }

    /// <summary>Rebuilds a layer from {"class_name", "config"}.</summary>
    internal static Layer LayerFrom(JsonElement e)
    {
        string cls = e.GetProperty("class_name").GetString() ?? "";
        var c = e.GetProperty("config");
        string? name = Str(c, "name");
        int[]? input = c.TryGetProperty("batch_input_shape", out var b) ? b.EnumerateArray().Skip(1).Select(x => x.GetInt32()).ToArray() : null;
        Layer layer = cls switch
        {
            "Dense" => new Dense(c.GetProperty("units").GetInt32(), Str(c, "activation"), c.GetProperty("use_bias").GetBoolean(),
                Init(c, "kernel_initializer"), Init(c, "bias_initializer"), input, name),
            "Conv2D" => new Conv2D(c.GetProperty("filters").GetInt32(), Ints(c, "kernel_size"), Ints(c, "strides"), Str(c, "padding") ?? "valid",
                Str(c, "activation"), c.GetProperty("use_bias").GetBoolean(), Init(c, "kernel_initializer"), Init(c, "bias_initializer"), input, name),
            "MaxPooling2D" => new MaxPooling2D(Ints(c, "pool_size"), Ints(c, "strides"), Str(c, "padding") ?? "valid", input, name),
            "AveragePooling2D" => new AveragePooling2D(Ints(c, "pool_size"), Ints(c, "strides"), Str(c, "padding") ?? "valid", input, name),
            "Flatten" => new Flatten(input, name),
            "Dropout" => new Dropout(c.GetProperty("rate").GetDouble(), input, name),
            "Activation" => new Activation(Str(c, "activation") ?? "linear", input, name),
            "BatchNormalization" => new BatchNormalization(c.GetProperty("momentum").GetDouble(), c.GetProperty("epsilon").GetDouble(),
                c.GetProperty("center").GetBoolean(), c.GetProperty("scale").GetBoolean(), input, name),
            "InputLayer" => new InputLayer(input ?? throw new InvalidDataException("InputLayer config without batch_input_shape."), name),
            _ => throw new InvalidDataException($"Sequential.Load: unknown layer class '{cls}' in the model config."),
        };
        if (c.TryGetProperty("trainable", out var t)) layer.Trainable = t.GetBoolean();
        return layer;
    }

    private static string? Str(JsonElement c, string key) => c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int[] Ints(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static Initializer Init(JsonElement c, string key)
    {
        var e = c.GetProperty(key);
        var cfg = e.GetProperty("config").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        return Initializer.FromConfig(e.GetProperty("class_name").GetString() ?? "", cfg);
    }
}
