using System.Diagnostics;

namespace Chapters;

/// <summary>Builds the mpirun command line that starts N ranks of this app.</summary>
public static class Launcher
{
    /// <summary>MPICH's launcher: mpirun.mpich (Debian), else mpiexec.mpich, else mpiexec.hydra.</summary>
    public static string FindMpirun(string? preferred = null)
    {
        if (preferred is not null) return preferred;
        foreach (var name in new[] { "mpirun.mpich", "mpiexec.mpich", "mpiexec.hydra" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        throw new InvalidOperationException("launch: MPICH's mpirun (mpirun.mpich) was not found; run scripts/install-deps.sh (apt-get install mpich libmpich-dev). OpenMPI's mpirun cannot start this app's MPICH ranks.");
    }

    /// <summary>`mpirun -np N &lt;this app&gt; args…`, with stdio inherited.</summary>
    public static ProcessStartInfo StartInfo(int nproc, IEnumerable<string> appArgs, string? mpirun = null)
    {
        var psi = new ProcessStartInfo(FindMpirun(mpirun)) { UseShellExecute = false };
        psi.ArgumentList.Add("-np");
        psi.ArgumentList.Add(nproc.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string self = Environment.ProcessPath ?? "dotnet";
        psi.ArgumentList.Add(self);
        // Under `dotnet chapters.dll` (or a test host) the entry is the dll, run by the dotnet host.
        if (Path.GetFileNameWithoutExtension(self) != "chapters")
        {
            if (Path.GetFileNameWithoutExtension(self) != "dotnet") psi.ArgumentList[^1] = "dotnet";
            psi.ArgumentList.Add(typeof(Launcher).Assembly.Location);
        }
        foreach (var a in appArgs) psi.ArgumentList.Add(a);
        return psi;
    }
}
