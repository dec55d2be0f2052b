using System.Diagnostics;
using System.Text.Json;

namespace Chapters.Bench;

/// <summary>
/// Runs a peer script of bench/ (NumPy, PyTorch) with the engine's thread count and reads the JSON it
/// prints, so a benchmark times the engine and its peers in the same call.
/// </summary>
public static class PeerScript
{
    /// <summary>
    /// Runs bench/<paramref name="scriptName"/> with <paramref name="python"/> (a path, or a name looked up on PATH) and <paramref name="args"/>;
    /// OPENBLAS_CORETYPE is <paramref name="openBlasCore"/> for it (unset when null; <see cref="PeerBlas"/> chooses it),
    /// OPENBLAS_L2_SIZE unset, and every BLAS/OpenMP pool gets <paramref name="threads"/>. Returns the parsed JSON,
    /// or null with <paramref name="error"/> saying why.
    /// </summary>
    public static JsonElement? Run(string python, string scriptName, int threads, IEnumerable<string> args, string installHint, out string? error, string? openBlasCore = null)
    {
        var psi = StartInfo(python, scriptName, threads, args, installHint, out error, openBlasCore);
        if (psi is null) return null;
        string script = psi.ArgumentList[0];
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { error = $"{script} exited {p.ExitCode}: {stderr.Result.Trim()}"; return null; }
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>
    /// How <see cref="Run"/> starts a peer script (stdout and stderr redirected, the environment set as
    /// Run says), or null with <paramref name="error"/> when the script or the interpreter is missing.
    /// The script's path is the first argument.
    /// </summary>
    public static ProcessStartInfo? StartInfo(string python, string scriptName, int threads, IEnumerable<string> args, string installHint, out string? error, string? openBlasCore = null)
    {
        error = null;
        string? script = FindScript(scriptName);
        if (script is null) { error = $"bench/{scriptName} not found above the current directory; run from the repository"; return null; }
        if (!python.Contains('/'))
            python = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(d => Path.Combine(d, python)).FirstOrDefault(File.Exists) ?? python; // a bare name: look it up on PATH
        if (!File.Exists(python)) { error = $"{python} not found ({installHint}, see README)"; return null; }
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(threads.ToString());
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (openBlasCore is null) psi.Environment.Remove("OPENBLAS_CORETYPE");
        else psi.Environment["OPENBLAS_CORETYPE"] = openBlasCore;
        psi.Environment.Remove("OPENBLAS_L2_SIZE");
        foreach (var pool in new[] { "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS" })
            psi.Environment[pool] = threads.ToString();
        return psi;
    }

    /// <summary>The number at a path of keys in the peer's JSON, or null when absent.</summary>
    public static double? Number(JsonElement? root, params string[] path)
    {
        if (root is not JsonElement e) return null;
        foreach (var key in path)
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e)) return null;
        return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
    }

    /// <summary>engine ÷ peer as "0.83×", or "—" without a peer.</summary>
    public static string Ratio(double engine, double? peer) => peer is double p && p > 0 ? $"{engine / p:F2}×" : "—";

    /// <summary>A peer's number, or "missing".</summary>
    public static string Fmt(double? v, string format) => v is double d ? d.ToString(format) : "missing";

    private static string? FindScript(string scriptName)
    {
        foreach (var dir in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "bench", scriptName);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
