namespace Engine.Distributed;

/// <summary>
/// Entry points of distributed training (torch.distributed): create the process group for this
/// process and read what the launcher told it.
/// </summary>
public static class Dist
{
    /// <summary>The backends this build offers.</summary>
    public static IReadOnlyList<string> Backends { get; } = ["mpi"];

    /// <summary>
    /// Joins the process group of the current launch (torch.distributed.init_process_group).
    /// <paramref name="timeout"/> defaults to ENGINE_DIST_TIMEOUT seconds, else 60 s.
    /// </summary>
    public static ProcessGroup InitProcessGroup(string backend = "mpi", TimeSpan? timeout = null)
    {
        var t = timeout ?? DefaultTimeout;
        return backend.ToLowerInvariant() switch
        {
            "mpi" => new MpiProcessGroup(t),
            _ => throw new ArgumentException($"InitProcessGroup: unknown backend '{backend}'; this build offers {string.Join(", ", Backends)}."),
        };
    }

    /// <summary>ENGINE_DIST_TIMEOUT (seconds) or 60 s.</summary>
    public static TimeSpan DefaultTimeout =>
        double.TryParse(Environment.GetEnvironmentVariable("ENGINE_DIST_TIMEOUT"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(60);

    /// <summary>True when this process was started by an MPI launcher (mpirun sets PMI_RANK).</summary>
    public static bool IsLaunched => Environment.GetEnvironmentVariable("PMI_RANK") is not null;

    /// <summary>This process's rank as the launcher says (PMI_RANK), 0 without a launcher.</summary>
    public static int LaunchRank => int.TryParse(Environment.GetEnvironmentVariable("PMI_RANK"), out int r) ? r : 0;

    /// <summary>Number of processes the launcher started (PMI_SIZE), 1 without a launcher.</summary>
    public static int LaunchWorldSize => int.TryParse(Environment.GetEnvironmentVariable("PMI_SIZE"), out int n) ? n : 1;
}
