namespace Engine.Distributed;

/// <summary>
/// A collective did not finish within the process group's timeout: most likely another rank died or
/// stopped calling collectives (the watchdog's answer to what would otherwise be a hang).
/// </summary>
public sealed class DistributedTimeoutException(string message) : DistributedException(message);
