namespace Chapters;

/// <summary>`chapters help [verb …]`: the same text as `chapters [verb …] --help`.</summary>
public sealed class HelpCommand : Command
{
    public override string Name => "help";
    public override string Usage => "help [verb [id|suite]]";
    public override string Summary => "Prints every verb, or the help of one (the same as `chapters <verb> --help`).";

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        Console.WriteLine(args.Count == 0 ? Cli.Overview : Cli.HelpFor(args[0], args.Skip(1).ToList()));
        return 0;
    }
}
