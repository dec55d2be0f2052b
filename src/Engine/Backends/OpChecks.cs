namespace Engine;

/// <summary>Argument checks shared by every backend's implementation of an op.</summary>
internal static class OpChecks
{
    /// <summary>The log guard δ of SoftmaxCrossEntropy must be a finite number ≥ 0 (0: exact log-softmax).</summary>
    public static void CheckLogGuard(double delta)
    {
        if (!(delta >= 0) || !double.IsFinite(delta))
            throw new ArgumentOutOfRangeException(nameof(delta), $"SoftmaxCrossEntropy: the log guard delta must be a finite number ≥ 0 (0 = exact log-softmax), got {delta}.");
    }
}
