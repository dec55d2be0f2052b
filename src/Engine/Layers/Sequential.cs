using System.Globalization;
using System.Text;

namespace Engine.Layers;

/// <summary>
/// keras.Sequential / tf.sequential: a stack of layers, each fed by the one before. The first layer
/// (or an <see cref="InputLayer"/>) gives inputShape; every later layer is built when added, from the
/// previous output shape, so a mismatch is reported at Add with both layers' names and shapes. Layers
/// without a name get Keras's default names, numbered per model from 1 ("conv2d_1", "dense_1", "dense_2").
/// Compile, Fit, Evaluate, Predict, Save and Load are in the other parts of this class.
/// </summary>
public sealed partial class Sequential
{
    private readonly List<Layer> _layers = new();
    private readonly Dictionary<string, int> _nameCounts = new();
    private int[]? _inputShape;

    /// <summary>
    /// An empty model. Weights are created in <paramref name="dtype"/> on <paramref name="device"/> (CPU by
    /// default) from a generator seeded with <paramref name="seed"/> (which also draws dropout masks and Fit's shuffles).
    /// </summary>
    public Sequential(string name = "sequential_1", ulong seed = 0, DType dtype = DType.Float32, Device? device = null)
    {
        if (!dtype.IsFloat()) throw new ArgumentException($"Sequential: dtype must be float32 or float64, got {dtype.Name()}.");
        Name = name;
        DType = dtype;
        Device = device ?? Device.Cpu;
        Generator = new Generator(seed);
    }

    /// <summary>A model made of <paramref name="layers"/>, added in order.</summary>
    public Sequential(IEnumerable<Layer> layers, string name = "sequential_1", ulong seed = 0) : this(name, seed)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>Element type of the weights.</summary>
    public DType DType { get; }

    /// <summary>Where the weights live (see <see cref="To"/>).</summary>
    public Device Device { get; private set; }

    /// <summary>Draws initial weights, dropout masks and shuffles.</summary>
    public Generator Generator { get; }

    /// <summary>The layers in order (an InputLayer, if added, is first).</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Input shape without the batch axis, once known.</summary>
    public int[]? InputShape => _inputShape is null ? null : (int[])_inputShape.Clone();

    /// <summary>Output shape without the batch axis, once the model is built.</summary>
    public int[]? OutputShape => _layers.Count == 0 || !_layers[^1].Built ? null : _layers[^1].OutputShape;

    /// <summary>Freezes (false) or unfreezes every layer.</summary>
    public bool Trainable
    {
        get => _layers.Any(l => l.Trainable);
        set { foreach (var l in _layers) l.Trainable = value; }
    }

    /// <summary>Every weight, layer by layer.</summary>
    public IEnumerable<LayerWeight> Weights => _layers.SelectMany(l => l.Weights);

    /// <summary>The weights training changes.</summary>
    public IEnumerable<LayerWeight> TrainableWeights => Weights.Where(w => w.Trainable);

    /// <summary>The layer called <paramref name="name"/>, or an error listing the names.</summary>
    public Layer GetLayer(string name) => _layers.FirstOrDefault(l => l.Name == name)
        ?? throw new ArgumentException($"{Name}.GetLayer: no layer named '{name}'; the layers are {string.Join(", ", _layers.Select(l => l.Name))}.");

    /// <summary>The layer at <paramref name="index"/> (Keras's get_layer(index=…)).</summary>
    public Layer GetLayer(int index) => index >= 0 && index < _layers.Count ? _layers[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"{Name}.GetLayer: index {index} is out of range for {_layers.Count} layers.");

    /// <summary>
    /// Appends <paramref name="layer"/>: names it if unnamed, and builds it when the input shape is known.
    /// A layer that cannot take the previous layer's output is refused with both names and shapes.
    /// </summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Built || _layers.Contains(layer))
            throw new ArgumentException($"{Name}.Add: the layer '{layer.Name}' already belongs to a model; create a new one.");
        if (layer is InputLayer && _layers.Count > 0)
            throw new ArgumentException($"{Name}.Add: an InputLayer must come first; the model already has {_layers.Count} layer(s).");
        if (layer.Name.Length == 0) layer.Name = NextName(layer.NamePrefix);
        else if (_layers.Any(l => l.Name == layer.Name))
            throw new ArgumentException($"{Name}.Add: a layer named '{layer.Name}' is already in the model; layer names must be unique.");
        else NoteName(layer.Name);

        int[]? input;
        if (_layers.Count == 0)
        {
            input = layer.DeclaredInputShape;
            _inputShape = input;
        }
        else
        {
            if (layer.DeclaredInputShape is { } declared && _layers[^1].Built && !declared.SequenceEqual(_layers[^1].OutputShape))
                throw new ArgumentException($"{Name}.Add: layer {layer.Name} ({layer.ClassName}) declares inputShape {Layer.ShapeText(declared)} but the previous layer {_layers[^1].Name} ({_layers[^1].ClassName}) outputs {Layer.ShapeText(_layers[^1].OutputShape)}.");
            input = _layers[^1].Built ? _layers[^1].OutputShape : null;
        }
        if (input is not null) BuildLayer(layer, input, _layers.Count > 0 ? _layers[^1] : null);
        if (layer is Dropout d) d.Generator ??= Generator;
        _layers.Add(layer);
    }

    /// <summary>Builds an unbuilt model for inputs of shape [N, …<paramref name="inputShape"/>] (Keras's build).</summary>
    public void Build(int[] inputShape)
    {
        if (_layers.Count == 0) throw new InvalidOperationException($"{Name}.Build: the model has no layers.");
        if (_inputShape is not null)
        {
            if (!_inputShape.SequenceEqual(inputShape))
                throw new ArgumentException($"{Name}: the model takes inputs {Layer.ShapeText(_inputShape)}, got {Layer.ShapeText(inputShape)}.");
            return;
        }
        _inputShape = (int[])inputShape.Clone();
        int[] shape = inputShape;
        Layer? previous = null;
        foreach (var l in _layers)
        {
            BuildLayer(l, shape, previous);
            shape = l.OutputShape;
            previous = l;
        }
    }

    private void BuildLayer(Layer layer, int[] input, Layer? previous)
    {
        try { layer.Build(input, DType, Device, Generator); }
        catch (ArgumentException e)
        {
            string from = previous is null ? $"the model input {Layer.ShapeText(input)}" : $"the output {Layer.ShapeText(input)} of layer {previous.Name} ({previous.ClassName})";
            throw new ArgumentException($"{Name}.Add: layer {layer.Name} ({layer.ClassName}) cannot take {from}: {e.Message}", e);
        }
    }

    private string NextName(string prefix)
    {
        int n = _nameCounts.GetValueOrDefault(prefix) + 1;
        string name = $"{prefix}_{n}";
        while (_layers.Any(l => l.Name == name)) name = $"{prefix}_{++n}";
        _nameCounts[prefix] = n;
        return name;
    }

    private void NoteName(string name)
    {
        int cut = name.LastIndexOf('_');
        if (cut > 0 && int.TryParse(name.AsSpan(cut + 1), out int n))
            _nameCounts[name[..cut]] = Math.Max(_nameCounts.GetValueOrDefault(name[..cut]), n);
    }

    /// <summary>Moves every weight (and later the optimiser state) to <paramref name="device"/>, keeping the same tensor objects.</summary>
    public Sequential To(Device device)
    {
        foreach (var w in Weights) w.Value.MoveTo(device);
        Device = device;
        return this;
    }

    /// <summary>
    /// The forward pass with autograd: x [N, …InputShape] on the model's device → [N, …OutputShape].
    /// <paramref name="training"/> turns on Dropout and BatchNormalization's batch statistics.
    /// </summary>
    public Tensor Call(Tensor x, bool training = false) => Forward(x, training, skipFinalSoftmax: false);

    /// <summary>
    /// Runs the layers; consecutive image layers (Conv2D, pooling, BatchNormalization) run channels-first
    /// with one NHWC → NCHW permute before them and one back after, instead of a pair per layer; when they
    /// end in Flatten → Dense, the Dense kernel's rows are permuted instead of the images (fewer numbers). With
    /// <paramref name="skipFinalSoftmax"/> a softmax at the very end is left out (the loss fuses it).
    /// </summary>
    internal Tensor Forward(Tensor x, bool training, bool skipFinalSoftmax)
    {
        if (_layers.Count == 0) throw new InvalidOperationException($"{Name}: the model has no layers.");
        if (x.Rank < 1) throw new ArgumentException($"{Name}: expected a batch [N, …], got a scalar.");
        if (_inputShape is null) Build(x.Shape[1..]);
        if (x.Rank != _inputShape!.Length + 1 || !x.Shape.AsSpan(1).SequenceEqual(_inputShape))
            throw new ArgumentException($"{Name}: expected input of shape {Layer.ShapeText(_inputShape)}, got {Tensor.ShapeString(x.Shape)}.");
        if (x.Device != Device)
            throw new InvalidOperationException($"{Name}: the input is on {x.Device} but the model's weights are on {Device}; move one of them with To().");
        bool nchw = false;
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            bool skip = skipFinalSoftmax && i == _layers.Count - 1;
            if (layer.LayoutFree) { x = layer.Call(x, training); continue; }
            if (layer.RunsChannelsFirst)
            {
                if (!nchw) { x = ToChannelsFirst(x); nchw = true; }
                x = layer.CallChannelsFirst(x, training);
                continue;
            }
            if (nchw && layer is Flatten && i + 1 < _layers.Count && _layers[i + 1] is Dense dense)
            {
                // Flatten → Dense straight from NCHW: the kernel's rows go to channels-first order instead.
                x = dense.CallOnChannelsFirst(x, skip: skipFinalSoftmax && i + 1 == _layers.Count - 1);
                nchw = false;
                i++;
                continue;
            }
            if (nchw) { x = ToChannelsLast(x); nchw = false; }
            x = skip && layer is Dense { Activation: "softmax" } d ? d.CallLinear(x)
                : skip && layer is Activation { Function: "softmax" } ? x
                : layer.Call(x, training);
        }
        return nchw ? ToChannelsLast(x) : x;
    }

    // [N, H, W, C] ↔ [N, C, H, W]; with one channel the order of the elements is the same, so a view does.
    private static Tensor ToChannelsFirst(Tensor x) => x.Dim(3) == 1 ? x.Reshape(x.Dim(0), 1, x.Dim(1), x.Dim(2)) : x.Permute(0, 3, 1, 2);

    private static Tensor ToChannelsLast(Tensor x) => x.Dim(1) == 1 ? x.Reshape(x.Dim(0), x.Dim(2), x.Dim(3), 1) : x.Permute(0, 2, 3, 1);

    /// <summary>True when the last layer ends in a softmax (the cross-entropy losses then run on its input, fused).</summary>
    internal bool EndsInSoftmax => _layers.Count > 0 && _layers[^1] is Dense { Activation: "softmax" } or Activation { Function: "softmax" };

    /// <summary>
    /// Keras's model summary table, as Keras 2 prints it for a Sequential model (the layout of the book's
    /// tables): columns at 29 and 55 of a 65-character line, names cut to 28 characters, output shapes
    /// with None for the batch, parameter counts, then the totals with thousands separators.
    /// Printed through <paramref name="printFn"/> (Console.WriteLine by default) and returned.
    /// </summary>
    public string Summary(int lineLength = 65, Action<string>? printFn = null)
    {
        if (_inputShape is null || !_layers.All(l => l.Built))
            throw new InvalidOperationException($"{Name}.Summary: this model has not yet been built; give the first layer an inputShape, call Build(shape), or Fit/Predict once.");
        int[] positions = [(int)(lineLength * .45), (int)(lineLength * .85), lineLength];
        var sb = new StringBuilder();
        void Line(string s) { sb.Append(s).Append('\n'); printFn?.Invoke(s); }
        if (printFn is null) printFn = Console.WriteLine;
        Line(new string('_', lineLength));
        Line(Row(["Layer (type)", "Output Shape", "Param #"], positions));
        Line(new string('=', lineLength));
        // Keras lists an InputLayer only for functional models (VGG16/19 are); a Sequential model hides it.
        var shown = _layers.Where(l => l is not InputLayer || ShowInputLayer).ToList();
        for (int i = 0; i < shown.Count; i++)
        {
            var l = shown[i];
            Line(Row([$"{l.Name} ({l.ClassName})", Layer.ShapeText(l.OutputShape), l.CountParams().ToString(CultureInfo.InvariantCulture)], positions));
            Line(new string(i == shown.Count - 1 ? '=' : '_', lineLength));
        }
        long trainable = Weights.Where(w => w.Trainable).Sum(w => w.Value.Size);
        long nonTrainable = Weights.Where(w => !w.Trainable).Sum(w => w.Value.Size);
        Line($"Total params: {Thousands(trainable + nonTrainable)}");
        Line($"Trainable params: {Thousands(trainable)}");
        Line($"Non-trainable params: {Thousands(nonTrainable)}");
        Line(new string('_', lineLength));
        return sb.ToString();
    }

    /// <summary>Whether Summary lists the InputLayer, as Keras does for functional models such as VGG16 (default false, as for Sequential).</summary>
    public bool ShowInputLayer { get; set; }

    /// <summary>Number of scalars in all weights.</summary>
    public long CountParams() => Weights.Sum(w => w.Value.Size);

    private static string Thousands(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    // Keras's print_row: each field starts where the previous column ended (its last character turned
    // into a space), is cut at its column's end and padded to it.
    private static string Row(string[] fields, int[] positions)
    {
        string line = "";
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) line = line[..^1] + " ";
            line += fields[i];
            if (line.Length > positions[i]) line = line[..positions[i]];
            line += new string(' ', positions[i] - line.Length);
        }
        return line;
    }
}
