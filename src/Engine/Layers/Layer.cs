namespace Engine.Layers;

/// <summary>
/// Base of the Keras-style layers (keras.layers.Layer). Channels-last like Keras: an image batch is
/// [N, H, W, C] and shapes below leave out the batch axis N (Keras prints it as None). A layer is built
/// once its input shape is known (from <c>inputShape</c> on the first layer of a model, or from the
/// previous layer's output), which creates its weights; then <see cref="Call"/> computes it with the
/// engine's ops, recording autograd.
/// </summary>
public abstract class Layer
{
    private readonly List<LayerWeight> _weights = new();
    private int[]? _inputShape, _outputShape;

    /// <summary>Sets the optional name and input shape (the shape without the batch axis).</summary>
    protected Layer(string? name, int[]? inputShape)
    {
        Name = name ?? "";
        if (inputShape is not null)
        {
            if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
                throw new ArgumentException($"{GetType().Name}: inputShape must list positive sizes (without the batch axis), got {Tensor.ShapeString(inputShape)}.");
            DeclaredInputShape = (int[])inputShape.Clone();
        }
    }

    /// <summary>The layer's name (given, or assigned by the model: "dense_1", "conv2d_2", …).</summary>
    public string Name { get; internal set; }

    /// <summary>Keras's class name, shown in Summary: "Dense", "Conv2D", ….</summary>
    public abstract string ClassName { get; }

    /// <summary>The stem of default names ("dense", "conv2d", "max_pooling2d", …).</summary>
    public abstract string NamePrefix { get; }

    /// <summary>The inputShape given to the constructor (without the batch axis), or null.</summary>
    public int[]? DeclaredInputShape { get; }

    /// <summary>False freezes every weight of the layer (it then counts as non-trainable).</summary>
    public bool Trainable { get; set; } = true;

    /// <summary>True once <see cref="Build"/> ran.</summary>
    public bool Built => _outputShape is not null;

    /// <summary>Input shape without the batch axis (after Build).</summary>
    public int[] InputShape => (int[])(_inputShape ?? throw NotBuilt()).Clone();

    /// <summary>Output shape without the batch axis (after Build).</summary>
    public int[] OutputShape => (int[])(_outputShape ?? throw NotBuilt()).Clone();

    /// <summary>The weights, in Keras's order (kernel then bias; gamma, beta, moving_mean, moving_variance).</summary>
    public IReadOnlyList<LayerWeight> Weights => _weights;

    /// <summary>Weights the optimiser updates.</summary>
    public IEnumerable<LayerWeight> TrainableWeights => _weights.Where(w => w.Trainable);

    /// <summary>Weights it leaves alone.</summary>
    public IEnumerable<LayerWeight> NonTrainableWeights => _weights.Where(w => !w.Trainable);

    /// <summary>Number of scalars in all weights (Summary's "Param #").</summary>
    public long CountParams() => _weights.Sum(w => w.Value.Size);

    /// <summary>
    /// Output shape for <paramref name="inputShape"/> (no batch axis). Throws <see cref="ArgumentException"/>
    /// when the layer cannot take that input (the model adds both layers' names to the message).
    /// </summary>
    public abstract int[] ComputeOutputShape(int[] inputShape);

    /// <summary>Creates the weights for <paramref name="inputShape"/> in <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public void Build(int[] inputShape, DType dtype, Device device, Generator generator)
    {
        if (Built) throw new InvalidOperationException($"{Name} ({ClassName}): already built for input {ShapeText(_inputShape!)}.");
        var output = ComputeOutputShape(inputShape);
        CreateWeights(inputShape, dtype, device, generator);
        _inputShape = (int[])inputShape.Clone();
        _outputShape = output;
    }

    /// <summary>Creates the layer's weights with <see cref="AddWeight"/>; none by default.</summary>
    protected virtual void CreateWeights(int[] inputShape, DType dtype, Device device, Generator generator) { }

    /// <summary>Creates one weight filled by <paramref name="initializer"/>.</summary>
    protected Tensor AddWeight(string name, int[] shape, Initializer initializer, bool trainable, DType dtype, Device device, Generator generator)
    {
        var t = initializer is Zeros ? Tensor.Zeros(shape, dtype, device) : Tensor.FromDoubles(initializer.Sample(shape, generator), shape, dtype, device);
        t.Persistent = true;
        t.RequiresGrad = trainable;
        _weights.Add(new LayerWeight(this, name, t, trainable));
        return t;
    }

    /// <summary>The computation on a channels-last batch x [N, …inputShape] → [N, …outputShape].</summary>
    public abstract Tensor Call(Tensor x, bool training = false);

    /// <summary>
    /// True when <see cref="CallChannelsFirst"/> computes the layer on [N, C, H, W] directly, so a model
    /// can run consecutive image layers without converting NHWC ↔ NCHW between them.
    /// </summary>
    internal virtual bool RunsChannelsFirst => false;

    /// <summary>True when the layer works elementwise and does not care about the layout (Activation, Dropout).</summary>
    internal virtual bool LayoutFree => false;

    /// <summary>The same computation on a channels-first batch [N, C, H, W] (only when <see cref="RunsChannelsFirst"/>).</summary>
    internal virtual Tensor CallChannelsFirst(Tensor x, bool training) =>
        throw new NotSupportedException($"{Name} ({ClassName}) computes channels-last only.");

    /// <summary>The layer's constructor settings for the saved model config (Keras's get_config, less name and trainable).</summary>
    public abstract Dictionary<string, object?> GetConfig();

    /// <summary>Keras's text for a shape with the batch axis: "(None, 24, 24, 8)".</summary>
    public static string ShapeText(int[] shape) => "(None" + string.Concat(shape.Select(d => ", " + d)) + ")";

    /// <summary>Checks that x is [N, …InputShape] and says what came otherwise.</summary>
    protected void CheckInput(Tensor x)
    {
        var s = _inputShape ?? throw NotBuilt();
        if (x.Rank != s.Length + 1 || !x.Shape.AsSpan(1).SequenceEqual(s))
            throw new ArgumentException($"{Name} ({ClassName}): expected input of shape {ShapeText(s)}, got {Tensor.ShapeString(x.Shape)}.");
    }

    private InvalidOperationException NotBuilt() =>
        new($"{(Name.Length > 0 ? Name : GetType().Name)} ({ClassName}): the layer is not built yet; give the first layer an inputShape, or add it to a model that knows its input.");
}
