namespace Engine.Distributed;

/// <summary>
/// Entry points of distributed training (torch.distributed): create the process group for this
/// process and read what the launcher told it.
/// </summary>
public static class Dist
{
    private static readonly Dictionary<string, Func<TimeSpan, ProcessGroup>> Registered = new();

    /// <summary>The backends this build offers: "mpi", and "nccl" (registered by Engine.Kernels, which has the CUDA types).</summary>
    public static IReadOnlyList<string> Backends
    {
        get
        {
            _ = DeviceRegistry.Cuda; // loads Engine.Kernels when it is there, which registers "nccl"
            lock (Registered) return ["mpi", .. Registered.Keys.Order()];
        }
    }

    /// <summary>Makes a backend known to <see cref="InitProcessGroup"/> (Engine.Kernels registers "nccl" this way, as the CUDA provider registers with <see cref="DeviceRegistry"/>).</summary>
    public static void RegisterBackend(string name, Func<TimeSpan, ProcessGroup> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        lock (Registered) Registered[name.ToLowerInvariant()] = create;
    }

    /// <summary>
    /// Joins the process group of the current launch (torch.distributed.init_process_group): "mpi"
    /// (MPICH, host memory) or "nccl" (libnccl on this rank's GPU: NcclProcessGroup in Engine.Kernels).
    /// <paramref name="timeout"/> defaults to ENGINE_DIST_TIMEOUT seconds, else 60 s.
    /// </summary>
    public static ProcessGroup InitProcessGroup(string backend = "mpi", TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var t = timeout ?? DefaultTimeout;
        string name = backend.ToLowerInvariant();
        if (name == "mpi") return new MpiProcessGroup(t);
        var offered = Backends; // loads Engine.Kernels first
        Func<TimeSpan, ProcessGroup>? create;
        lock (Registered) Registered.TryGetValue(name, out create);
        if (create is not null) return create(t);
        if (name == "nccl")
            throw new DistributedException("InitProcessGroup: the nccl backend lives in Engine.Kernels (the CUDA backend), which is not beside Engine.dll in this build; use --backend mpi.");
        throw new ArgumentException($"InitProcessGroup: unknown backend '{backend}'; this build offers {string.Join(", ", offered)}.");
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
