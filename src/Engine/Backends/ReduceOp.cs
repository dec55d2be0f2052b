namespace Engine;

/// <summary>Reductions along one axis.</summary>
public enum ReduceOp
{
    /// <summary>Σ x</summary>
    Sum,
    /// <summary>Σ x / n</summary>
    Mean,
    /// <summary>max x</summary>
    Max,
    /// <summary>min x</summary>
    Min,
}
