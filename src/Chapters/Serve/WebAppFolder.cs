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
}
