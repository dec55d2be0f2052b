namespace Engine.Nn;

/// <summary>
/// Base of the loss modules (torch.nn.modules.loss._Loss): <see cref="Forward"/>(input, target) with a
/// <see cref="Reduction"/> of "mean", "sum" or "none".
/// </summary>
public abstract class Loss
{
    /// <summary>Checks and stores the reduction ("batchmean" too where <paramref name="allowBatchMean"/>, for KLDivLoss).</summary>
    protected Loss(string reduction, bool allowBatchMean = false)
    {
        Reduction = allowBatchMean && reduction == "batchmean" ? reduction : Functional.F.CheckReduction(reduction, GetType().Name);
    }

    /// <summary>"mean", "sum" or "none" (KLDivLoss also "batchmean").</summary>
    public string Reduction { get; }

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}()";
}
