namespace Chapters.Bench;

/// <summary>`chapters bench &lt;suite&gt;`; `--device cuda` alone means the cuda suite.</summary>
public sealed class BenchCommand : Command
{
    public override string Name => "bench";
    public override string Usage => "bench <" + string.Join("|", BenchSuite.All.Select(s => s.Name)) + "> (or bench --device cuda)";

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        string name = args.Count > 0 ? args[0] : options.GetValueOrDefault("device", "cpu").StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu";
        var suite = BenchSuite.All.FirstOrDefault(s => s.Name == name);
        if (suite is null)
            return Cli.Fail($"unknown bench suite '{name}'; known: {string.Join(", ", BenchSuite.All.Select(s => s.Name))}");
        return suite.Run(options);
    }
}
