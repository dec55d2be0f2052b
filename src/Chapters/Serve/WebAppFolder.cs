using Engine.Data;

namespace Chapters.Serve;

/// <summary>
/// Finds the published Blazor WebAssembly app that <c>make build</c> writes with
/// <c>dotnet publish src/Web -c Release</c>: src/Web/bin/&lt;config&gt;/net10.0/publish/wwwroot in the repository
/// that holds the running chapters app (or the current folder).
/// </summary>
public static class WebAppFolder
{
    /// <summary>The command that publishes the app.</summary>
    public const string PublishCommand = "dotnet publish src/Web/Web.csproj -c Release";

    /// <summary>The wwwroot folder given by --app, or the one found in the repository; throws a message saying how to publish it when there is none.</summary>
    public static string Resolve(string? given)
    {
        if (!string.IsNullOrEmpty(given))
            return File.Exists(Path.Combine(given, "index.html")) ? Path.GetFullPath(given)
                : throw new DirectoryNotFoundException($"serve: --app {given} has no index.html; pass the wwwroot folder of the published app ({PublishCommand}).");
        var roots = new[] { DataFolder.FindRepositoryRoot(AppContext.BaseDirectory), DataFolder.FindRepositoryRoot(Directory.GetCurrentDirectory()) };
        foreach (var root in roots.OfType<string>().Distinct())
            foreach (var config in new[] { "Release", "Debug" })
            {
                string dir = Path.Combine(root, "src", "Web", "bin", config, "net10.0", "publish", "wwwroot");
                if (File.Exists(Path.Combine(dir, "index.html"))) return dir;
            }
        throw new DirectoryNotFoundException($"serve: the browser app is not published; run `make build` (or `{PublishCommand}`) in the repository, or pass --app <wwwroot folder>.");
    }

    /// <summary>
    /// A warning when a source of the app in <paramref name="repoRoot"/>/src/Web is newer than the
    /// published <paramref name="appDir"/>/index.html (the page would be an older build); null when up to date.
    /// </summary>
    public static string? StaleWarning(string appDir, string? repoRoot)
    {
        string source = Path.Combine(repoRoot ?? "", "src", "Web");
        string index = Path.Combine(appDir, "index.html");
        if (repoRoot is null || !Directory.Exists(source) || !File.Exists(index)) return null;
        var published = File.GetLastWriteTimeUtc(index);
        var newer = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > published);
        return newer is null ? null
            : $"chapters serve: warning: {Path.GetRelativePath(repoRoot, newer)} is newer than the published app; run `make build` to publish it again.";
    }
}
