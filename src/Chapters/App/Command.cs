namespace Chapters;

/// <summary>
/// A top-level verb of the `chapters` app (list, run, all, devices, bench, gpu-check, …). Each
/// lives in its own file and is found by reflection, so adding a verb touches no shared file.
/// </summary>
public abstract class Command
{
    /// <summary>The verb, e.g. "bench".</summary>
    public abstract string Name { get; }

    /// <summary>One usage line, e.g. "bench [cpu|cnn] [--device cuda]".</summary>
    public abstract string Usage { get; }

    /// <summary>Runs with the positional arguments after the verb and the --options; returns the exit code.</summary>
    public abstract int Run(IReadOnlyList<string> args, Dictionary<string, string> options);

    /// <summary>All commands in this assembly.</summary>
    public static IReadOnlyList<Command> All { get; } = typeof(Command).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Command)) && !t.IsAbstract)
        .Select(t => (Command)Activator.CreateInstance(t)!)
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToList();
}
