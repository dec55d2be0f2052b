using System.Diagnostics;

namespace Chapters;

/// <summary>
/// `chapters launch --nproc N &lt;exercise | verb …&gt;`: starts N copies of this app under MPICH's
/// mpirun (torch.distributed.launch): each copy is one rank and joins the process group with
/// Dist.InitProcessGroup. An exercise id means `run &lt;id&gt;`; anything else is a verb (e.g. `bench allreduce`).
/// --timeout S sets the collectives' watchdog (ENGINE_DIST_TIMEOUT) so a dead rank fails the others.
/// </summary>
public sealed class LaunchCommand : Command
{
    public override string Name => "launch";
    public override string Usage => "launch --nproc N <exercise id | verb ...> [--timeout S] [options passed on]";
    public override string Summary => "Starts N copies of this app under MPICH's mpirun (like torch.distributed.launch); each is one rank of the process group. An exercise id means `run <id>` (e.g. `launch --nproc 2 25.2b`); anything else is a verb (e.g. `bench allreduce`). The other options are passed on to every rank.";
    public override IReadOnlyList<string> OptionNames => ["nproc", "timeout", "mpirun"];

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        if (args.Count == 0) return Cli.Fail("usage: chapters " + Usage);
        int nproc = options.TryGetValue("nproc", out var n) && int.TryParse(n, out int k) ? k : 2;
        if (nproc < 1) return Cli.Fail($"launch: --nproc must be at least 1; got {n}.");
        var passOn = new List<string>();
        bool isExercise = ExerciseCatalog.All.Any(e => e.Id == args[0]);
        if (isExercise) passOn.Add("run");
        passOn.AddRange(args);
        passOn.AddRange(CliOptions.ToArgs(options.Where(o => o.Key is not ("nproc" or "timeout" or "mpirun"))));
        var psi = Launcher.StartInfo(nproc, passOn, options.GetValueOrDefault("mpirun"));
        if (options.TryGetValue("timeout", out var timeout)) psi.Environment["ENGINE_DIST_TIMEOUT"] = timeout;
        Console.Error.WriteLine($"launch: {psi.FileName} {string.Join(" ", psi.ArgumentList)}");
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"launch: could not start {psi.FileName}.");
        p.WaitForExit();
        return p.ExitCode;
    }
}
