namespace Chapters;

/// <summary>
/// One --option of the `chapters` app: its name, the values it takes (as the help and the error
/// message say them), what it means, and the check a value must pass. A flag takes no value.
/// </summary>
public sealed record CliOption(string Name, string Values, string Meaning, Func<string, bool> IsValid, bool IsFlag = false)
{
    /// <summary>"--epochs N" or "--quick" as the help lists it.</summary>
    public string Syntax => IsFlag ? "--" + Name : $"--{Name} {Values}";
}
