namespace Engine.Distributed;

/// <summary>How an all-reduce combines the ranks' tensors (torch.distributed.ReduceOp).</summary>
public enum AllReduceOp
{
    /// <summary>Element-wise sum over ranks.</summary>
    Sum,
    /// <summary>Element-wise mean over ranks (sum, then divide by the world size).</summary>
    Avg,
    /// <summary>Element-wise maximum.</summary>
    Max,
    /// <summary>Element-wise minimum.</summary>
    Min,
}
