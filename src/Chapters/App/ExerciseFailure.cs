namespace Chapters;

/// <summary>
/// Runs an exercise so that an exception becomes one failed check: the full text (type, message,
/// inner exceptions, stack) goes to out/&lt;id&gt;/error.txt and the closing table gets one line that
/// says where it is.
/// </summary>
public static class ExerciseFailure
{
    /// <summary>Longest message kept in a table cell; the rest is in error.txt.</summary>
    public const int MaxLength = 160;

    /// <summary>Runs <paramref name="exercise"/>; returns false when it threw (recorded as a failed "runs" check).</summary>
    public static bool Run(Exercise exercise, ExerciseContext ctx)
    {
        string errorFile = Path.Combine(ctx.OutDir, "error.txt");
        if (File.Exists(errorFile)) File.Delete(errorFile); // a stale one from an earlier failed run
        try
        {
            exercise.Run(ctx);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Directory.CreateDirectory(ctx.OutDir);
            File.WriteAllText(errorFile + ".part", e.ToString());
            File.Move(errorFile + ".part", errorFile, overwrite: true);
            ctx.Expect("runs", "ok", $"{OneLine(e)} (full text: {errorFile})", false);
            return false;
        }
    }

    /// <summary>
    /// The first line of the message that says most: a native library that failed to load is named
    /// as such (the loader's own message lists every path it tried); otherwise the outermost message,
    /// cut at <paramref name="maxLength"/> characters.
    /// </summary>
    public static string OneLine(Exception e, int maxLength = MaxLength)
    {
        string text = e is DllNotFoundException dll ? NativeLibrary(dll) : e.Message;
        if (e.InnerException is DllNotFoundException inner && !text.Contains("install", StringComparison.OrdinalIgnoreCase))
            text += " " + NativeLibrary(inner);
        string line = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? e.GetType().Name;
        return line.Length <= maxLength ? line : line[..(maxLength - 1)] + "…";
    }

    private static string NativeLibrary(DllNotFoundException e)
    {
        var m = System.Text.RegularExpressions.Regex.Match(e.Message, "shared library '([^']+)'");
        return m.Success ? $"native library {m.Groups[1].Value} could not be loaded (not installed, or a dependency is missing)." : e.Message;
    }
}
