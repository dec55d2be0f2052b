using System.Diagnostics;

namespace Engine.Tests.Reliability;

/// <summary>Runs engine-hostile (the reliability tests' child process) with a deadline; the process tree is killed past it.</summary>
public static class ChildProcess
{
    /// <summary>The runner's dll, copied beside the test assembly by the project reference.</summary>
    public static string HostileDll => Path.Combine(AppContext.BaseDirectory, "engine-hostile.dll");

    public static ProcessStartInfo Start(string dll, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    /// <summary>Runs to the end (or the deadline): exit code (−1 when killed), stdout, stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(ProcessStartInfo psi, TimeSpan deadline)
    {
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(deadline))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, stdout.Result, stderr.Result);
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
