namespace Chapters;

/// <summary>`chapters run &lt;id&gt;`: one exercise.</summary>
public sealed class RunCommand : Command
{
    /// <summary>The options every exercise takes.</summary>
    internal static readonly string[] Common = ["device", "quick", "seed", "out"];

    public override string Name => "run";
    public override string Usage => "run <id> [--device cpu|cuda] [--quick] [--seed N] [exercise options]";
    public override string Summary => "Runs one exercise: prints what the book prints, writes its pictures and output under out/<id>/, then the book-vs-engine checks. `chapters list` shows the ids; `chapters run <id> --help` the options of one.";
    public override IReadOnlyList<string> OptionNames => Common;

    public override string Help(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return base.Help(args);
        var e = ExerciseCatalog.Find(args[0]);
        return HelpText($"chapters run {e.Id} [options]", $"{e.Id}: {e.Title}", Common.Concat(e.OptionNames));
    }

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) =>
        args.Count == 1 ? Cli.RunOne(args[0], options) : Cli.Fail("usage: chapters " + Usage);
}
