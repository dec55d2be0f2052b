namespace Chapters.Bench;

/// <summary>
/// One group of benchmarks of `chapters bench &lt;suite&gt;` (cpu, cnn, cuda, allreduce…), found by
/// reflection; each prints a table measured in one run, peers included, with ratios.
/// </summary>
public abstract class BenchSuite
{
    /// <summary>The suite name on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>What it measures, one line.</summary>
    public abstract string Title { get; }

    /// <summary>The --options this suite reads (names in <see cref="CliOptions.All"/>).</summary>
    public virtual IReadOnlyList<string> OptionNames => [];

    /// <summary>Runs the suite; returns the exit code.</summary>
    public abstract int Run(Dictionary<string, string> options);

    /// <summary>All suites in this assembly.</summary>
    public static IReadOnlyList<BenchSuite> All { get; } = typeof(BenchSuite).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(BenchSuite)) && !t.IsAbstract)
        .Select(t => (BenchSuite)Activator.CreateInstance(t)!)
        .OrderBy(s => s.Name, StringComparer.Ordinal)
        .ToList();
}
