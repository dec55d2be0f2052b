using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

/// <summary>
/// DistributedDataParallel across real processes: `chapters launch --nproc 2 25.2b` under MPICH's
/// mpirun (which runs as root without extra flags). Every run has a hard deadline, and the process
/// tree is killed past it, so a broken build fails instead of hanging CI.
/// </summary>
[NonParallelizable]
public class LaunchTests
{
    private static (int ExitCode, string Output, double Seconds) Chapters(int deadlineSeconds, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(global::Chapters.Cli).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(deadlineSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"chapters {string.Join(" ", args)} did not finish within {deadlineSeconds} s (killed).");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result, sw.Elapsed.TotalSeconds);
    }

    [Test]
    public void TwoRanksTrainToIdenticalParametersEqualToTheSingleProcessRun()
    {
        var (code, output, _) = Chapters(180, "launch", "--nproc", "2", "25.2b", "--quick", "--epochs", "2");
        Assert.That(code, Is.EqualTo(0), output);
        for (int rank = 0; rank < 2; rank++)
        {
            var m = Regex.Match(output, $@"rank {rank}: max relative difference to the single-process full-batch run after (\d+) steps: (\S+)");
            Assert.That(m.Success, Is.True, output);
            Assert.That(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Is.EqualTo(6));
            Assert.That(double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(1e-5));
            Assert.That(output, Does.Contain($"rank {rank} of 2: backend mpi"));
            Assert.That(output, Does.Contain($"rank {rank}: parameters identical on all 2 ranks: max spread 0e+0"));
        }
        Assert.That(Regex.Matches(output, "6 checks passed, 0 failed").Count, Is.EqualTo(2), output);
    }

    [Test]
    public void ARankThatExitsMakesTheLaunchFail()
    {
        var (code, output, seconds) = Chapters(120, "launch", "--nproc", "2", "25.2b", "--quick", "--die-rank", "1", "--die-step", "1", "--timeout", "10");
        Assert.That(code, Is.Not.EqualTo(0), output);
        Assert.That(output, Does.Contain("rank 1: exiting on purpose before the all-reduce of step 1"));
        Assert.That(seconds, Is.LessThan(90));
    }

    [Test]
    public void ARankThatHangsMakesTheOthersFailWithATimeoutError()
    {
        var (code, output, seconds) = Chapters(120, "launch", "--nproc", "2", "25.2b", "--quick", "--die-rank", "1", "--die-step", "1", "--die-how", "hang", "--timeout", "5");
        Assert.That(code, Is.Not.EqualTo(0), output);
        Assert.That(output, Does.Contain("on rank 0 of 2 (mpi) did not finish within 5 s: another rank probably died"));
        Assert.That(seconds, Is.LessThan(90));
    }
}
