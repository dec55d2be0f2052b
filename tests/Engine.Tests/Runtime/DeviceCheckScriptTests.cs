using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// scripts/device-check.sh, the one call on the GPU machine: its first op check runs with every launch synchronised
/// (ENGINE_CUDA_SYNC=1), before any other GPU step, so a kernel fault is named by the op that caused it; and what it
/// leaves in $OUT fits what the device tool brings back (at most 8 files, named in letters, digits, '.', '_', '-').
/// </summary>
[TestFixture]
public sealed class DeviceCheckScriptTests
{
    [Test]
    public void TheFirstGpuCheckPassRunsWithSynchronousErrors()
    {
        string script = File.ReadAllText(Fixtures.File("scripts/device-check.sh"));
        var gpuSteps = Regex.Matches(script, @"^step (\S+) \d+ (.*)$", RegexOptions.Multiline)
            .Where(m => m.Groups[2].Value.Contains("--device cuda") || m.Groups[2].Value.Contains("gpu-check") || m.Groups[2].Value.Contains("--require-gpu"))
            .ToList();
        Assert.That(gpuSteps, Is.Not.Empty);
        Assert.That(gpuSteps[0].Groups[1].Value, Is.EqualTo("gpu-check-quick"));
        Assert.That(gpuSteps[0].Groups[2].Value, Does.StartWith("env ENGINE_CUDA_SYNC=1 "));
        Assert.That(gpuSteps.Skip(1).Select(m => m.Groups[2].Value), Has.None.Contains("ENGINE_CUDA_SYNC"), "later passes run asynchronously, as users do");
    }

    [Test]
    public void OutHoldsTheSummaryTheTablesAndOneArchiveOfEverything()
    {
        // The script in a folder of its own, with a stand-in for bundle/chapters that writes what the real one
        // writes into its --out folder (gpu-check.md, bench-cuda.md, an exercise's files).
        string root = Path.Combine(Path.GetTempPath(), $"device-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "scripts"));
            Directory.CreateDirectory(Path.Combine(root, "bundle"));
            File.Copy(Fixtures.File("scripts/device-check.sh"), Path.Combine(root, "scripts", "device-check.sh"));
            string stub = Path.Combine(root, "bundle", "chapters");
            File.WriteAllText(stub, """
                #!/bin/sh
                out=""; prev=""
                for a in "$@"; do [ "$prev" = "--out" ] && out=$a; prev=$a; done
                case "$1 $2" in gpu-check*) f=gpu-check.md ;; "bench cnn") f=bench-cnn-cuda.md ;; bench*) f=bench-cuda.md ;; *) f=$2/plot.png ;; esac
                if [ -n "$out" ]; then mkdir -p "$(dirname "$out/$f")"; echo "$*" > "$out/$f"; fi
                echo "stand-in: $*"
                """);
            if (OperatingSystem.IsWindows()) Assert.Ignore("the device check is a bash script for Linux");
            else File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string output = Path.Combine(root, "out");
            var start = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "device-check.sh")]) { RedirectStandardOutput = true };
            start.Environment["OUT"] = output;
            start.Environment["TMPDIR"] = root;
            using var script = Process.Start(start)!;
            var stdout = script.StandardOutput.ReadToEndAsync();
            bool exited = script.WaitForExit(60_000);
            if (!exited) script.Kill(entireProcessTree: true);
            string log = stdout.Result;
            Assert.That(exited, Is.True, $"the script did not end within 60 s:\n{log}");

            var files = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.That(files, Is.EqualTo(new[] { "bench-cnn-cuda.md", "bench-cuda.md", "device-check.tar.gz", "gpu-check-quick.md", "gpu-check.md", "summary.txt" }), log);
            Assert.That(files, Has.Count.LessThanOrEqualTo(8).And.All.Matches<string>(f => Regex.IsMatch(f, "^[A-Za-z0-9._-]+$")));
            Assert.That(File.ReadAllText(Path.Combine(output, "gpu-check-quick.md")), Does.Contain("--quick"), "the quick pass's table, not the large one");

            var archived = new List<string>();
            using (var tar = new TarReader(new GZipStream(File.OpenRead(Path.Combine(output, "device-check.tar.gz")), CompressionMode.Decompress)))
                while (tar.GetNextEntry() is { } entry) archived.Add(entry.Name.TrimStart('.', '/'));
            Assert.That(archived, Does.Contain("summary.txt").And.Contain("run-24.5-cpu.log").And.Contain("gpu-check-quick/gpu-check.md")
                .And.Contain("exercises-cuda/25.3/plot.png"));
            Assert.That(File.ReadAllText(Path.Combine(output, "summary.txt")), Does.Contain("run-24.5-cpu: exit 0"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
