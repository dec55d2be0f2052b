using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b (torch.nn.Linear): weight [out, in], bias [out]. PyTorch's
/// default init: kaiming-uniform with a = √5, i.e. both weight and bias ~ U(−1/√in, 1/√in).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer; numbers are drawn from <paramref name="generator"/> (or the default one).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Device? device = null, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentException($"Linear: in_features and out_features must be positive, got {inFeatures} and {outFeatures}.");
        Tensor.CheckedSize("Linear", [outFeatures, inFeatures]);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var (w, b) = Init.DefaultWeightAndBias([outFeatures, inFeatures], bias, dtype, device, generator);
        Weight = RegisterParameter("weight", w);
        if (b is not null) Bias = RegisterParameter("bias", b);
    }

    /// <summary>Input size.</summary>
    public int InFeatures { get; }

    /// <summary>Output size.</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>[out], or null without bias.</summary>
    public Tensor? Bias { get; }

    /// <summary>x [*, in] → [*, out].</summary>
    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is not null ? "True" : "False")})";
}
