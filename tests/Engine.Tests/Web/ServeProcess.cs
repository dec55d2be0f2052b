using System.Diagnostics;
using System.Text.RegularExpressions;
using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>
/// One real `chapters serve` process for the web tests (browser, API, load): started on first use on
/// 127.0.0.1 with a free port, stopped by <see cref="WebTestsTeardown"/>. It serves the published
/// Blazor app (`make build` publishes it) and the digit model at out/web/mnist-convnet.safetensors,
/// which `chapters serve` trains and saves when the file is absent (about a minute).
/// </summary>
public sealed class ServeProcess : IDisposable
{
    private static readonly Lock Gate = new();
    private static ServeProcess? _shared;
    private readonly Process _process;
    private readonly List<string> _output = [];

    /// <summary>Repository root (holds Engine.sln).</summary>
    public static string RepoRoot { get; } = DataFolder.FindRepositoryRoot(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("web tests: no Engine.sln above " + AppContext.BaseDirectory);

    /// <summary>The build configuration the tests were built with (Release or Debug).</summary>
    public static string Config { get; } = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    /// <summary>The chapters app the tests start.</summary>
    public static string ChaptersDll => Path.Combine(RepoRoot, "src", "Chapters", "bin", Config, "net10.0", "chapters.dll");

    /// <summary>The digit model file the server loads (or trains and saves).</summary>
    public static string ModelPath => Path.Combine(RepoRoot, "out", "web", "mnist-convnet.safetensors");

    /// <summary>Base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>The shared server, started on first use.</summary>
    public static ServeProcess Shared
    {
        get
        {
            lock (Gate) return _shared ??= new ServeProcess(["--port", "0", "--model", ModelPath], TimeSpan.FromMinutes(6));
        }
    }

    /// <summary>Stops the shared server if it was started.</summary>
    public static void StopShared()
    {
        lock (Gate)
        {
            _shared?.Dispose();
            _shared = null;
        }
    }

    /// <summary>Starts `dotnet chapters.dll serve <paramref name="args"/>` and waits for its "listening on" line.</summary>
    public ServeProcess(string[] args, TimeSpan startTimeout)
    {
        if (!File.Exists(ChaptersDll)) throw new FileNotFoundException($"web tests: {ChaptersDll} is missing; run `make build`.");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ChaptersDll);
        info.ArgumentList.Add("serve");
        foreach (var a in args) info.ArgumentList.Add(a);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.Add(e.Data);
            var m = Regex.Match(e.Data, @"listening on (http://\S+/)");
            if (m.Success) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"chapters serve exited with code {_process.ExitCode}:\n{Output}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!listening.Task.Wait(startTimeout))
        {
            Dispose();
            throw new TimeoutException($"chapters serve did not start listening within {startTimeout.TotalSeconds:F0} s:\n{Output}");
        }
        Address = listening.Task.Result;
    }

    /// <summary>Runs `chapters serve <paramref name="args"/>` expecting it to exit by itself; kills it after <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Output, string Error) RunToExit(string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ChaptersDll);
        info.ArgumentList.Add("serve");
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, output.Result, error.Result + $"\n(killed after {timeout.TotalSeconds:F0} s)");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Everything the process printed so far.</summary>
    public string Output
    {
        get { lock (_output) return string.Join("\n", _output); }
    }

    /// <summary>True while the process runs.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>Kills the process (and its children).</summary>
    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
