using System.Diagnostics;
using System.Text.Json;

namespace Chapters.Bench;

/// <summary>
/// A peer script kept running with --serve: it sets its benchmarks up once, then times one benchmark
/// per request, so the engine and its peers can take turns benchmark by benchmark, seconds apart.
/// Protocol (one line each way): the script first prints a JSON object of facts (versions, BLAS,
/// "benchmarks": the names it has, "missing"/"numpy_missing" when a peer is absent); then for each
/// request "name repeat" it answers {"value": number} or {"error": why}.
/// </summary>
public sealed class PeerServer : IDisposable
{
    private readonly Process _process;
    private readonly HashSet<string> _benchmarks;

    private PeerServer(Process process, JsonElement facts)
    {
        _process = process;
        Facts = facts;
        _benchmarks = facts.TryGetProperty("benchmarks", out var b) ? b.EnumerateArray().Select(e => e.GetString()!).ToHashSet() : [];
    }

    /// <summary>The facts the script printed when it started.</summary>
    public JsonElement Facts { get; }

    /// <summary>
    /// Starts bench/<paramref name="scriptName"/> --serve the way <see cref="PeerScript.Run"/> starts a script,
    /// or returns null with <paramref name="error"/> when it is missing or does not answer with its facts.
    /// </summary>
    public static PeerServer? Start(string python, string scriptName, int threads, string installHint, out string? error, string? openBlasCore = null)
    {
        var psi = PeerScript.StartInfo(python, scriptName, threads, ["--serve"], installHint, out error, openBlasCore);
        if (psi is null) return null;
        psi.RedirectStandardInput = true;
        var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string? first = p.StandardOutput.ReadLine();
        if (first is null)
        {
            p.WaitForExit();
            error = $"{psi.ArgumentList[0]} --serve exited {p.ExitCode}: {stderr.Result.Trim()}";
            p.Dispose();
            return null;
        }
        return new PeerServer(p, JsonDocument.Parse(first).RootElement.Clone());
    }

    /// <summary>Whether the peer has the benchmark <paramref name="name"/>.</summary>
    public bool Has(string name) => _benchmarks.Contains(name);

    /// <summary>The peer's number for <paramref name="name"/> (best of <paramref name="repeat"/> runs), or null when it has no such benchmark.</summary>
    public double? Measure(string name, int repeat)
    {
        if (!Has(name)) return null;
        _process.StandardInput.WriteLine($"{name} {repeat}");
        _process.StandardInput.Flush();
        string line = _process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"bench peer exited while timing {name} (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
        var answer = JsonDocument.Parse(line).RootElement;
        if (answer.TryGetProperty("error", out var why)) throw new InvalidOperationException($"bench peer: {why.GetString()}");
        return answer.GetProperty("value").GetDouble();
    }

    /// <summary>Closes the script's input, so it ends, and waits for it.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        finally { _process.Dispose(); }
    }
}
