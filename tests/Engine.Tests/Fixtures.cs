using System.Text.Json;

namespace Engine.Tests;

/// <summary>Reference fixtures committed under tests/fixtures, found by walking up from the test binaries.</summary>
internal static class Fixtures
{
    /// <summary>The absolute path of a repository file such as "tests/fixtures/style/style_fixtures.json".</summary>
    public static string File(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, relative))) dir = dir.Parent;
        return dir is null
            ? throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}")
            : Path.Combine(dir.FullName, relative);
    }

    /// <summary>The "cases" array of a JSON fixture file, each case cloned out of the parsed document.</summary>
    public static JsonElement[] Cases(string relative)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(File(relative)));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }
}
