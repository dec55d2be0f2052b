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

    /// <summary>What the verb does, one or a few sentences (the first line of its --help).</summary>
    public abstract string Summary { get; }

    /// <summary>The --options this verb reads (names in <see cref="CliOptions.All"/>).</summary>
    public virtual IReadOnlyList<string> OptionNames => [];

    /// <summary>Runs with the positional arguments after the verb and the --options; returns the exit code.</summary>
    public abstract int Run(IReadOnlyList<string> args, Dictionary<string, string> options);

    /// <summary>The text of `chapters &lt;verb&gt; [args] --help`: usage, summary, options. Verbs with sub-verbs (run &lt;id&gt;, bench &lt;suite&gt;) describe the one named in <paramref name="args"/>.</summary>
    public virtual string Help(IReadOnlyList<string> args) => HelpText("chapters " + Usage, Summary, OptionNames);

    /// <summary>Usage line, summary and the options' lines, as every --help prints them.</summary>
    public static string HelpText(string usage, string summary, IEnumerable<string> optionNames)
    {
        var lines = new List<string> { "usage: " + usage, "", summary };
        var names = optionNames.Append("help").Distinct().ToList();
        lines.Add("");
        lines.Add("options:");
        lines.AddRange(CliOptions.Describe(names));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>All commands in this assembly.</summary>
    public static IReadOnlyList<Command> All { get; } = typeof(Command).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Command)) && !t.IsAbstract)
        .Select(t => (Command)Activator.CreateInstance(t)!)
        .OrderBy(c => c.Name, StringComparer.Ordinal)
        .ToList();
}
