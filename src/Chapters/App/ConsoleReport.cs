using System.Text;
using Engine.IO;

namespace Chapters;

/// <summary>
/// A Markdown report built line by line: each line is printed as it comes and kept, and <see cref="Save"/>
/// writes them all to a file at the end (gpu-check's tables).
/// </summary>
internal sealed class ConsoleReport
{
    private readonly StringBuilder text = new();

    /// <summary>Prints <paramref name="s"/> and keeps it for the file.</summary>
    public void Line(string s = "")
    {
        Console.WriteLine(s);
        text.AppendLine(s);
    }

    /// <summary>Writes the kept lines to <paramref name="file"/> atomically (its folder created) and prints where.</summary>
    public void Save(string file)
    {
        TempFiles.WriteAtomically("ConsoleReport.Save", file, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.Write(text.ToString());
        });
        Console.WriteLine($"(written to {file})");
    }
}
