namespace Engine.Tests.CommandLine;

/// <summary>Runs the `chapters` entry point in-process with stdout and stderr captured.</summary>
public static class CliCapture
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Chapters.Cli.Run(args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedErr);
        }
    }

    /// <summary>The non-empty lines of a captured stream.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
