namespace Engine.Distributed;

/// <summary>A collective failed: a peer died, the MPI/NCCL library reported an error, or a timeout passed.</summary>
public class DistributedException(string message, Exception? inner = null) : Exception(message, inner);
