using Engine.Functional;

namespace Engine.Layers;

/// <summary>
/// keras.layers.BatchNormalization over the last (channel) axis of [N, C] or [N, H, W, C]: training
/// normalises with the batch statistics and moves moving_mean/moving_variance by
/// m = momentum·m + (1 − momentum)·batch (Keras's momentum 0.99); Predict uses the moving statistics.
/// y = gamma·x̂ + beta. Weights in Keras's order: gamma, beta (trainable), moving_mean, moving_variance (not).
/// </summary>
public sealed class BatchNormalization : Layer
{
    /// <summary>Keras's defaults: momentum 0.99, epsilon 0.001, center and scale on.</summary>
    public BatchNormalization(double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
        int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        Momentum = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNormalization: momentum must be in [0, 1), got {momentum}.");
        Epsilon = epsilon > 0 && double.IsFinite(epsilon) ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), $"BatchNormalization: epsilon must be positive, got {epsilon}.");
        Center = center;
        Scale = scale;
    }

    /// <summary>Weight of the old moving statistics in each update.</summary>
    public double Momentum { get; }

    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; }

    /// <summary>Whether beta is learnt.</summary>
    public bool Center { get; }

    /// <summary>Whether gamma is learnt.</summary>
    public bool Scale { get; }

    /// <inheritdoc/>
    public override string ClassName => "BatchNormalization";

    /// <inheritdoc/>
    public override string NamePrefix => "batch_normalization";

    internal override bool RunsChannelsFirst => InputShape.Length == 3;

    private Tensor? Gamma => Scale ? Weights[0].Value : null;

    private Tensor? Beta => Center ? Weights[Scale ? 1 : 0].Value : null;

    private Tensor MovingMean => Weights[^2].Value;

    private Tensor MovingVariance => Weights[^1].Value;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape.Length is 1 or 3 ? (int[])inputShape.Clone()
        : throw new ArgumentException($"BatchNormalization expects features (C) or images (height, width, channels), got {ShapeText(inputShape)}.");

    /// <inheritdoc/>
    protected override void CreateWeights(int[] inputShape, DType dtype, Device device, Generator generator)
    {
        int c = inputShape[^1];
        if (Scale) AddWeight("gamma", [c], new Ones(), true, dtype, device, generator);
        if (Center) AddWeight("beta", [c], new Zeros(), true, dtype, device, generator);
        AddWeight("moving_mean", [c], new Zeros(), false, dtype, device, generator);
        AddWeight("moving_variance", [c], new Ones(), false, dtype, device, generator);
    }

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false)
    {
        CheckInput(x);
        if (x.Rank == 2) return CallChannelsFirst(x, training);
        return CallChannelsFirst(x.Permute(0, 3, 1, 2), training).Permute(0, 2, 3, 1);
    }

    internal override Tensor CallChannelsFirst(Tensor x, bool training) =>
        F.BatchNorm(x, MovingMean, MovingVariance, Gamma, Beta, training, 1 - Momentum, Epsilon);

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["momentum"] = Momentum,
        ["epsilon"] = Epsilon,
        ["center"] = Center,
        ["scale"] = Scale,
    };
}
