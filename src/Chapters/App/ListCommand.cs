namespace Chapters;

/// <summary>`chapters list`: every exercise with its id and title.</summary>
public sealed class ListCommand : Command
{
    public override string Name => "list";
    public override string Usage => "list";
    public override string Summary => "Lists every exercise with its id (the book's section number) and title.";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Cli.List();
}
