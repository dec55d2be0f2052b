namespace Chapters;

/// <summary>`chapters all`: every exercise, then the book-vs-engine table.</summary>
public sealed class AllCommand : Command
{
    public override string Name => "all";
    public override string Usage => "all [--device cpu|cuda] [--quick] [--seed N]";
    public override string Summary => "Runs every exercise in book order with a progress bar, each one's output in out/<id>/, then one table of what the book printed against what the engine printed. A failed exercise is one line in the table; its full error is in out/<id>/error.txt. Exit 1 when any check failed.";
    public override IReadOnlyList<string> OptionNames => RunCommand.Common;
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) =>
        args.Count == 0 ? Cli.RunAll(options) : Cli.Fail($"all takes no arguments; got '{string.Join(" ", args)}' (use `chapters run <id>` for one exercise).");
}
