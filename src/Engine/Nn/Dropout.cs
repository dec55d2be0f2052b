using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Inverted dropout (torch.nn.Dropout): in training mode zeroes each element with probability p and
/// scales the rest by 1/(1−p); in eval mode passes input through. The mask is drawn on the CPU from
/// <see cref="Generator"/> (or the default generator) and applied by <see cref="IBackend.Dropout"/>.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Creates the layer.</summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p is < 0 or > 1 || double.IsNaN(p))
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1], got {p}.");
        P = p;
        Generator = generator;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <summary>Where masks come from (null: <see cref="Engine.Generator.Default"/>).</summary>
    public Generator? Generator { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => F.Dropout(input, P, Training, Generator);

    /// <inheritdoc/>
    public override string ToString() => $"Dropout(p={P.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}
