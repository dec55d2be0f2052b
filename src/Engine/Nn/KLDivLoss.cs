using Engine.Functional;

namespace Engine.Nn;

/// <summary>
/// Kullback–Leibler divergence (torch.nn.KLDivLoss(reduction='mean', log_target=False)) of log-probabilities
/// against probabilities (or log-probabilities with <see cref="LogTarget"/>); reduction "mean", "batchmean"
/// (the mathematical KL per sample), "sum" or "none". See <see cref="F.KlDiv"/>.
/// </summary>
public sealed class KLDivLoss(string reduction = "mean", bool logTarget = false) : Loss(reduction, allowBatchMean: true)
{
    /// <summary>True when the target holds log-probabilities.</summary>
    public bool LogTarget { get; } = logTarget;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, Tensor target) => F.KlDiv(input, target, Reduction, LogTarget);
}
