namespace Engine.Distributed;

/// <summary>
/// A collective in flight (torch.distributed's Work): <see cref="Wait"/> blocks until it is done,
/// at most the group's timeout; past it, a <see cref="DistributedTimeoutException"/> instead of a hang.
/// </summary>
public sealed class Work
{
    private readonly Task _task;
    private readonly ProcessGroup _group;

    internal Work(Task task, ProcessGroup group, string what)
    {
        _task = task;
        _group = group;
        What = what;
    }

    /// <summary>The task that finishes with the collective (combined works wait on it).</summary>
    internal Task Task => _task;

    /// <summary>What this collective is, e.g. "all_reduce(sum) of 1,234 float32".</summary>
    public string What { get; }

    /// <summary>True once finished (successfully or not).</summary>
    public bool IsCompleted => _task.IsCompleted;

    /// <summary>Waits for the collective; throws what it threw, or a timeout error naming the rank and the call.</summary>
    public void Wait()
    {
        bool done;
        try
        {
            done = _task.Wait(_group.Timeout);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            _group.MarkBroken();
            if (e.InnerException is DistributedException d) throw new DistributedException($"{What} on rank {_group.Rank} of {_group.WorldSize}: {d.Message}", d);
            throw new DistributedException($"{What} on rank {_group.Rank} of {_group.WorldSize} failed: {e.InnerException.Message}", e.InnerException);
        }
        if (!done)
        {
            _group.MarkBroken();
            throw new DistributedTimeoutException(
                $"{What} on rank {_group.Rank} of {_group.WorldSize} ({_group.Backend}) did not finish within {_group.Timeout.TotalSeconds:0.#} s: " +
                "another rank probably died or stopped calling collectives. This process group is unusable now; exit and relaunch.");
        }
    }
}
