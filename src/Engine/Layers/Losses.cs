using Engine.Functional;

namespace Engine.Layers;

/// <summary>
/// The losses Sequential.Compile takes by name (TensorFlow.js or Keras spelling), each
/// the mean over the batch: mean squared error; categorical cross-entropy −Σ t·log p (one-hot targets);
/// sparse categorical cross-entropy (class-index targets); binary cross-entropy
/// −(t·log p + (1 − t)·log(1 − p)). Probabilities are clipped to [1e-7, 1 − 1e-7] as Keras does.
/// </summary>
public static class Losses
{
    /// <summary>"meanSquaredError".</summary>
    public const string MeanSquaredError = "meanSquaredError";

    /// <summary>"categoricalCrossentropy".</summary>
    public const string CategoricalCrossentropy = "categoricalCrossentropy";

    /// <summary>"sparseCategoricalCrossentropy".</summary>
    public const string SparseCategoricalCrossentropy = "sparseCategoricalCrossentropy";

    /// <summary>"binaryCrossentropy".</summary>
    public const string BinaryCrossentropy = "binaryCrossentropy";

    /// <summary>Keras's clipping epsilon.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>The canonical name for a Keras or TensorFlow.js spelling ("mse", "categorical_crossentropy", …).</summary>
    public static string Canonical(string name) => name.Replace("_", "").ToLowerInvariant() switch
    {
        "meansquarederror" or "mse" => MeanSquaredError,
        "categoricalcrossentropy" => CategoricalCrossentropy,
        "sparsecategoricalcrossentropy" => SparseCategoricalCrossentropy,
        "binarycrossentropy" => BinaryCrossentropy,
        _ => throw new ArgumentException($"Compile: unknown loss '{name}'; expected {MeanSquaredError}, {CategoricalCrossentropy}, {SparseCategoricalCrossentropy} or {BinaryCrossentropy}."),
    };

    /// <summary>The loss <paramref name="name"/> of predictions <paramref name="yPred"/> (probabilities for the cross-entropies) against <paramref name="yTrue"/>.</summary>
    public static Tensor Compute(string name, Tensor yTrue, Tensor yPred)
    {
        switch (Canonical(name))
        {
            case MeanSquaredError:
                return F.Mse(yPred, yTrue);
            case CategoricalCrossentropy:
                SameShape(name, yTrue, yPred);
                return (yTrue * yPred.Clamp(Epsilon, 1 - Epsilon).Log()).Sum(-1).Mean().Neg();
            case SparseCategoricalCrossentropy:
                return F.NllLoss(yPred.Clamp(Epsilon, 1 - Epsilon).Log(), yTrue);
            default:
                SameShape(name, yTrue, yPred);
                var p = yPred.Clamp(Epsilon, 1 - Epsilon);
                return (yTrue * p.Log() + yTrue.RSub(1) * p.RSub(1).Log()).Mean().Neg();
        }
    }

    /// <summary>Cross-entropy of the pre-softmax scores (the fused, stable form the model uses when the last layer is a softmax).</summary>
    internal static Tensor FromLogits(Tensor yTrue, Tensor logits) => F.CrossEntropy(logits, yTrue);

    private static void SameShape(string name, Tensor yTrue, Tensor yPred)
    {
        if (!yTrue.SameShape(yPred))
            throw new ArgumentException($"{name}: the targets have shape {Tensor.ShapeString(yTrue.Shape)} but the model outputs {Tensor.ShapeString(yPred.Shape)}.");
    }
}
