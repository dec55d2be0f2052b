using Engine.Functional;

namespace Engine.Layers;

/// <summary>
/// keras.layers.Dropout: in training each element is zeroed with probability <see cref="Rate"/> and the
/// rest scaled by 1/(1 − rate); identity in Predict and Evaluate. The mask comes from the model's generator.
/// </summary>
public sealed class Dropout : Layer
{
    /// <summary>Drops a fraction <paramref name="rate"/> of the inputs while training.</summary>
    public Dropout(double rate, int[]? inputShape = null, string? name = null) : base(name, inputShape)
    {
        Rate = rate is >= 0 and < 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout: rate must be in [0, 1), got {rate}.");
    }

    /// <summary>Fraction dropped.</summary>
    public double Rate { get; }

    /// <summary>Where the masks are drawn (set by the model; <see cref="Generator.Default"/> otherwise).</summary>
    public Generator? Generator { get; set; }

    /// <inheritdoc/>
    public override string ClassName => "Dropout";

    /// <inheritdoc/>
    public override string NamePrefix => "dropout";

    internal override bool LayoutFree => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    /// <inheritdoc/>
    public override Tensor Call(Tensor x, bool training = false) => F.Dropout(x, Rate, training, Generator);

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig() => new() { ["rate"] = Rate };
}
