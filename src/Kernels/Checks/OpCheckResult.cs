namespace Engine.Kernels.Checks;

/// <summary>One row of a cross-check: error against the reference, time and achieved rate.</summary>
internal sealed record OpCheckResult(string Name, string Kernel, double MaxRelError, double Tolerance, double Milliseconds, double Rate, string Unit)
{
    /// <summary>True when the error is within the tolerance.</summary>
    public bool Pass => MaxRelError <= Tolerance;
}
