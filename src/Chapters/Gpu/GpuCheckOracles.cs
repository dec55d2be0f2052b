using System.Diagnostics;
using Chapters.Bench;
using Engine;
using Engine.Kernels.Checks;

namespace Chapters.Gpu;

/// <summary>
/// `chapters gpu-check --oracles`: the CPU half of the large gpu-check, here, without a GPU. For every op case
/// at the large sizes: the time to draw its inputs, the time of its oracle on the fast <see cref="CpuBackend"/>
/// (what gpu-check uses at these sizes) and on <see cref="CpuReference"/> (the plain reference, gpu-check's oracle at the small sizes and for a failing case), each the
/// whole oracle call (copies in, one run, results out as doubles), and CpuBackend's error against CpuReference
/// within the case's tolerance: the op suite checks that at the test sizes, this at the sizes gpu-check uses.
/// Prints a table and the totals, writes &lt;out&gt;/gpu-check-oracles.md; exits 1 when a case is out of tolerance.
/// </summary>
internal static class GpuCheckOracles
{
    public static int Run(string? filter, string outDir)
    {
        var report = new ConsoleReport();
        void Line(string s = "") => report.Line(s);

        Line($"# gpu-check --oracles: the large cases' CPU oracles ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} threads, load average {Timing.LoadAverage()})");
        Line();
        Line("| op | inputs ms | CpuBackend ms | CpuReference ms | CpuBackend vs CpuReference | tolerance | |");
        Line("|---|---:|---:|---:|---:|---:|---|");
        double inputsMs = 0, fastMs = 0, refMs = 0;
        int cases = 0, fail = 0;
        foreach (var c in OpCases.All(large: true))
        {
            if (filter is not null && !c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var sw = Stopwatch.StartNew();
            var inputs = c.Inputs(new Generator(1234));
            double gen = sw.Elapsed.TotalMilliseconds;
            try
            {
                sw.Restart();
                var fast = OpCheck.Execute(c, inputs, Device.Cpu, CpuBackend.Instance, 0, out _);
                double f = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var reference = OpCheck.Execute(c, inputs, Device.Cpu, CpuReference.Instance, 0, out _);
                double r = sw.Elapsed.TotalMilliseconds;
                double err = OpCheck.MaxError(c, fast, reference);
                bool pass = err <= c.Tolerance;
                Line($"| {c.Name} | {gen:F1} | {f:F1} | {r:F1} | {err:E1} | {c.Tolerance:E0} | {(pass ? "pass" : "FAIL")} |");
                inputsMs += gen;
                fastMs += f;
                refMs += r;
                cases++;
                if (!pass) fail++;
            }
            finally
            {
                foreach (var t in inputs) t.Dispose();
            }
        }
        Line();
        Line($"{cases} large cases: inputs {inputsMs / 1000:F1} s; oracle on CpuBackend {fastMs / 1000:F1} s, on CpuReference {refMs / 1000:F1} s; {fail} out of tolerance");
        string file = Path.Combine(outDir, "gpu-check-oracles.md");
        report.Save(file);
        return fail == 0 ? 0 : 1;
    }
}
