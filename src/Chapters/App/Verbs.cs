namespace Chapters;

/// <summary>`chapters list`: every exercise with its id and title.</summary>
public sealed class ListCommand : Command
{
    public override string Name => "list";
    public override string Usage => "list";
    public override string Summary => "Lists every exercise with its id (the book's section number) and title.";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Cli.List();
}

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

/// <summary>`chapters devices`: CPU and GPUs present.</summary>
public sealed class DevicesCommand : Command
{
    public override string Name => "devices";
    public override string Usage => "devices";
    public override string Summary => "Prints the CPU (cores, SIMD width) and every CUDA GPU as nvidia-smi would, or why there is none. Always exits 0.";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Devices.Print();
}
