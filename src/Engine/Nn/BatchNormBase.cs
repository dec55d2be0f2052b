using System.Globalization;
using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// What BatchNorm1d and BatchNorm2d share (torch's _BatchNorm): per-channel affine weight γ (ones) and
/// bias β (zeros), running_mean (zeros) and running_var (ones) buffers. Training mode normalises with
/// the batch statistics and updates the running ones with <see cref="Momentum"/>; eval mode uses the
/// running statistics.
/// </summary>
public abstract class BatchNormBase : Module
{
    /// <summary>Creates the parameters and buffers for <paramref name="numFeatures"/> channels.</summary>
    protected BatchNormBase(int numFeatures, double eps, double momentum, bool affine, DType dtype, Device? device)
    {
        if (numFeatures <= 0)
            throw new ArgumentException($"{GetType().Name}: num_features must be positive, got {numFeatures}.");
        if (eps <= 0 || momentum is < 0 or > 1)
            throw new ArgumentException($"{GetType().Name}: eps must be > 0 and momentum in [0, 1], got eps {eps}, momentum {momentum}.");
        Tensor.CheckedSize(GetType().Name, [numFeatures]);
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Full([numFeatures], 1, dtype, device));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype, device));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype, device));
        RunningVar = RegisterBuffer("running_var", Tensor.Full([numFeatures], 1, dtype, device));
    }

    /// <summary>Number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>Weight of the new batch in the running statistics.</summary>
    public double Momentum { get; }

    /// <summary>γ [C], or null when not affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>β [C], or null when not affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean [C] (buffer).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance [C] (buffer).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Throws unless the input has a rank this module accepts.</summary>
    protected abstract void CheckInput(Tensor input);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        return F.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{GetType().Name}({NumFeatures}, eps={Eps:0.#####e-00}, momentum={Momentum}, affine={(Weight is not null ? "True" : "False")}, track_running_stats=True)");
}
