namespace Chapters.Bench;

/// <summary>`chapters bench &lt;suite&gt;`; `--device cuda` alone means the cuda suite.</summary>
public sealed class BenchCommand : Command
{
    public override string Name => "bench";
    public override string Usage => "bench <" + string.Join("|", BenchSuite.All.Select(s => s.Name)) + "> [options] (or bench --device cuda)";
    public override string Summary => "Times the engine against its peers (NumPy, PyTorch, cuBLAS) in one run on the same machine and prints one table per suite:\n" +
        string.Join("\n", BenchSuite.All.Select(s => $"  {s.Name,-10} {s.Title}")) + "\n`chapters bench <suite> --help` lists a suite's options.";
    public override IReadOnlyList<string> OptionNames => ["device"];

    public override string Help(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return base.Help(args);
        var suite = Find(args[0]);
        return HelpText($"chapters bench {suite.Name} [options]", suite.Title, suite.OptionNames);
    }

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        string name = args.Count > 0 ? args[0] : options.GetValueOrDefault("device", "cpu").StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu";
        if (args.Count > 1) return Cli.Fail($"bench takes one suite; got '{string.Join(" ", args)}'.");
        return Find(name).Run(options);
    }

    private static BenchSuite Find(string name) => BenchSuite.All.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"unknown bench suite '{name}'; known: {string.Join(", ", BenchSuite.All.Select(s => s.Name))}.");
}
