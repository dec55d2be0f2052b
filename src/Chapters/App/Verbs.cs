namespace Chapters;

/// <summary>`chapters list`: every exercise with its id and title.</summary>
public sealed class ListCommand : Command
{
    public override string Name => "list";
    public override string Usage => "list";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Cli.List();
}

/// <summary>`chapters run &lt;id&gt;`: one exercise.</summary>
public sealed class RunCommand : Command
{
    public override string Name => "run";
    public override string Usage => "run <id> [--device cpu|cuda] [--quick] [--seed N] [--epochs N]";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) =>
        args.Count == 1 ? Cli.RunOne(args[0], options) : Cli.Fail("usage: chapters " + Usage);
}

/// <summary>`chapters all`: every exercise, then the book-vs-engine table.</summary>
public sealed class AllCommand : Command
{
    public override string Name => "all";
    public override string Usage => "all [--device cpu|cuda] [--quick]";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Cli.RunAll(options);
}

/// <summary>`chapters devices`: CPU and GPUs present.</summary>
public sealed class DevicesCommand : Command
{
    public override string Name => "devices";
    public override string Usage => "devices";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Devices.Print();
}
