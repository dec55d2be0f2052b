using System.Text;
using PureHDF;

namespace Engine.Layers;

/// <summary>
/// Keras HDF5 weights, read and written with PureHDF. Two layouts are read:
/// <list type="bullet">
/// <item>a whole model (model.save): group "model_weights" with attribute "layer_names"; per layer a group
/// with attribute "weight_names" (e.g. "conv2d_1/kernel:0") naming datasets under it
/// ("model_weights/conv2d_1/conv2d_1/kernel:0");</item>
/// <item>a weights file (model.save_weights, e.g. vgg16_weights_tf_dim_ordering_tf_kernels.h5): the same
/// with "layer_names" on the root group and the layer groups at the top.</item>
/// </list>
/// Layers with weights are matched by name when every such layer of the model is in the file, else in
/// order (Keras's load_weights); each layer's weights follow its "weight_names" order (kernel, bias;
/// gamma, beta, moving_mean, moving_variance). Kernels are channels-last ("tf" dim ordering), the
/// layout of <see cref="Layer.Weights"/>. A missing, truncated or mismatching file is an
/// <see cref="InvalidDataException"/> that names the file, the layer and what was expected.
/// </summary>
public static class KerasH5
{
    /// <summary>Copies the weights of the Keras .h5 file at <paramref name="path"/> into the built <paramref name="model"/>.</summary>
    public static void LoadWeights(Sequential model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputShape is null) throw new InvalidOperationException($"KerasH5.LoadWeights: build the model first (inputShape or Build) so its weights exist.");
        if (!File.Exists(path)) throw new FileNotFoundException($"KerasH5.LoadWeights: no file at {path}.", path);
        try
        {
            using var file = H5File.OpenRead(path);
            IH5Group root = file.LinkExists("model_weights") ? file.Group("model_weights") : file;
            if (!root.AttributeExists("layer_names"))
                throw new InvalidDataException($"KerasH5: {path} has no \"layer_names\" attribute; it is not a Keras weights file.");
            var stored = new List<(string Layer, IH5Group Group, string[] Weights)>();
            foreach (var name in Strings(root.Attribute("layer_names")))
            {
                var g = root.Group(name);
                var weights = g.AttributeExists("weight_names") ? Strings(g.Attribute("weight_names")) : [];
                if (weights.Length > 0) stored.Add((name, g, weights));
            }
            var mine = model.Layers.Where(l => l.Weights.Count > 0).ToList();
            bool byName = mine.All(l => stored.Any(s => s.Layer == l.Name));
            if (!byName && mine.Count != stored.Count)
                throw new InvalidDataException($"KerasH5: {path} holds weights for {stored.Count} layers ({string.Join(", ", stored.Select(s => s.Layer))}) but the model has {mine.Count} layers with weights ({string.Join(", ", mine.Select(l => l.Name))}).");
            for (int i = 0; i < mine.Count; i++)
            {
                var layer = mine[i];
                var s = byName ? stored.First(x => x.Layer == layer.Name) : stored[i];
                if (s.Weights.Length != layer.Weights.Count)
                    throw new InvalidDataException($"KerasH5: {path}: layer '{s.Layer}' stores {s.Weights.Length} weights ({string.Join(", ", s.Weights)}) but {layer.Name} ({layer.ClassName}) has {layer.Weights.Count}.");
                for (int k = 0; k < s.Weights.Length; k++)
                {
                    var ds = s.Group.Dataset(s.Weights[k]);
                    int[] shape = ds.Space.Dimensions.Select(d => checked((int)d)).ToArray();
                    var w = layer.Weights[k];
                    if (!shape.SequenceEqual(w.Value.Shape))
                        throw new InvalidDataException($"KerasH5: {path}: '{s.Layer}/{s.Weights[k]}' has shape {Tensor.ShapeString(shape)} but {w.FullName} expects {Tensor.ShapeString(w.Value.Shape)}.");
                    using var t = ds.Type.Size == 8
                        ? Tensor.FromArray(ds.Read<double[]>(), shape)
                        : Tensor.FromArray(ds.Read<float[]>(), shape);
                    Sequential.CopyInto(w, t, path);
                }
            }
        }
        catch (Exception e) when (e is not (InvalidDataException or InvalidOperationException or FileNotFoundException))
        {
            throw new InvalidDataException($"KerasH5: {path} could not be read as a Keras HDF5 weights file ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> in Keras's whole-model layout ("model_weights/&lt;layer&gt;/&lt;layer&gt;/kernel:0",
    /// attributes layer_names and weight_names, plus the JSON model config), atomically (temp file, rename).
    /// </summary>
    public static void Save(Sequential model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputShape is null) throw new InvalidOperationException("KerasH5.Save: the model is not built yet (no weights).");
        var weights = new H5Group();
        weights.Attributes = new Dictionary<string, object>
        {
            ["layer_names"] = model.Layers.Select(l => l.Name).ToArray(),
            ["backend"] = "tensorflow",
            ["keras_version"] = "2.2.4",
        };
        foreach (var layer in model.Layers)
        {
            var inner = new H5Group();
            foreach (var w in layer.Weights)
            {
                var data = w.Value.ToDoubleArray().Select(v => (float)v).ToArray();
                inner[w.Name + ":0"] = new H5Dataset(data, fileDims: w.Value.Shape.Select(d => (ulong)d).ToArray());
            }
            var g = new H5Group { Attributes = new Dictionary<string, object> { ["weight_names"] = layer.Weights.Select(w => w.FullName).ToArray() } };
            if (layer.Weights.Count > 0) g[layer.Name] = inner;
            weights[layer.Name] = g;
        }
        var file = new H5File
        {
            ["model_weights"] = weights,
        };
        file.Attributes = new Dictionary<string, object> { ["model_config"] = model.ToJson(), ["keras_version"] = "2.2.4", ["backend"] = "tensorflow" };
        string full = Path.GetFullPath(path);
        string tmp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            file.Write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>
    /// A string-array attribute (Keras writes fixed-length byte strings; variable-length ones are read too).
    /// A layer without weights has an empty array, which NumPy stores as float64: read as no names.
    /// </summary>
    private static string[] Strings(IH5Attribute a) => a.Space.Dimensions.Any(d => d == 0)
        ? []
        : a.Read<string[]>().Select(s => s.TrimEnd('\0')).ToArray();
}
