using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Engine;
using Engine.Functional;
using Tensor = Engine.Tensor;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench convpaths`: the CPU implicit-GEMM conv forward on ResNet-18's conv shapes (random data),
/// three paths alternating in one process so that load from other processes hits them alike: 6-row tiles with
/// gathered B strips, 8-row tiles with gathered strips (<see cref="Gemm.ConvEightRows"/>), 8-row tiles with B
/// read in place where it applies (<see cref="Gemm.ConvInPlace"/>). Per path: best wall time and best process
/// CPU time (all threads, CLOCK_PROCESS_CPUTIME_ID) of --repeat calls per round over --rounds; all three must
/// give the same bits. Options: --batches (default 8), --repeat (default 3), --rounds (default 8).
/// </summary>
public sealed class ConvPathsBench : BenchSuite
{
    public override string Name => "convpaths";
    public override string Title => "Implicit-GEMM conv forward paths on ResNet-18's shapes (CPU): 6-row gather, 8-row gather, 8-row in place";
    public override IReadOnlyList<string> OptionNames => ["batches", "repeat", "rounds"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>ResNet-18's conv geometries: C, H (= W), F, K, stride, pad, and how many nodes share them.</summary>
    private static readonly (int C, int H, int F, int K, int S, int P, int Nodes)[] Shapes =
    [
        (3, 224, 64, 7, 2, 3, 1), (64, 56, 64, 3, 1, 1, 4), (64, 56, 128, 1, 2, 0, 1), (64, 56, 128, 3, 2, 1, 1),
        (128, 28, 128, 3, 1, 1, 3), (128, 28, 256, 1, 2, 0, 1), (128, 28, 256, 3, 2, 1, 1), (256, 14, 256, 3, 1, 1, 3),
        (256, 14, 512, 1, 2, 0, 1), (256, 14, 512, 3, 2, 1, 1), (512, 7, 512, 3, 1, 1, 5),
    ];

    /// <summary>The paths: (name, 8-row tiles, B in place).</summary>
    private static readonly (string Name, bool EightRows, bool InPlace)[] Paths = [("6-row gather", false, false), ("8-row gather", true, false), ("8-row in place", true, true)];

    public override int Run(Dictionary<string, string> options)
    {
        int batch = int.Parse(options.GetValueOrDefault("batches", "8").Split(',')[0], Inv);
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "3"), Inv), rounds = int.Parse(options.GetValueOrDefault("rounds", "8"), Inv);
        Console.WriteLine(Title);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · batch {batch} · {Environment.ProcessorCount} threads · best of {rounds} rounds × {repeat} calls · load average {Timing.LoadAverage()}");
        Console.WriteLine("| conv | nodes | " + string.Join(" | ", Paths.Select(p => $"{p.Name} ms (CPU ms)")) + " | same bits |");
        Console.WriteLine("|------|------:|" + string.Concat(Paths.Select(_ => "------:|")) + "------|");
        var (eight, inPlace) = (Gemm.ConvEightRows, Gemm.ConvInPlace);
        var wallTotal = new double[Paths.Length];
        var cpuTotal = new double[Paths.Length];
        bool allSame = true;
        try
        {
            using var noGrad = Tensor.NoGrad();
            foreach (var s in Shapes)
            {
                using var scope = Tensor.Scope();
                var gen = new Generator(25);
                var x = Tensor.Randn([batch, s.C, s.H, s.H], generator: gen);
                var w = Tensor.Randn([s.F, s.C, s.K, s.K], generator: gen);
                var b = Tensor.Randn([s.F], generator: gen);
                var outputs = Paths.Select((p, i) => { Use(i); return F.Conv2d(x, w, b, s.S, s.P).ToArray<float>(); }).ToArray();
                bool same = outputs.All(o => o.AsSpan().SequenceEqual(outputs[0]));
                allSame &= same;
                var wall = Enumerable.Repeat(double.MaxValue, Paths.Length).ToArray();
                var cpu = Enumerable.Repeat(double.MaxValue, Paths.Length).ToArray();
                for (int r = 0; r < rounds; r++)
                    for (int i = 0; i < Paths.Length; i++)
                    {
                        Use(i);
                        for (int t = 0; t < repeat; t++)
                        {
                            double c0 = CpuMs();
                            var sw = Stopwatch.StartNew();
                            F.Conv2d(x, w, b, s.S, s.P).Dispose();
                            wall[i] = Math.Min(wall[i], sw.Elapsed.TotalMilliseconds);
                            cpu[i] = Math.Min(cpu[i], CpuMs() - c0);
                        }
                    }
                for (int i = 0; i < Paths.Length; i++) { wallTotal[i] += s.Nodes * wall[i]; cpuTotal[i] += s.Nodes * cpu[i]; }
                Console.WriteLine($"| {s.C}→{s.F} {s.K}×{s.K}/{s.S}, {s.H}×{s.H} | {s.Nodes} | "
                    + string.Join(" | ", wall.Select((t, i) => $"{t:F2} ({cpu[i]:F2})")) + $" | {(same ? "yes" : "NO")} |");
            }
        }
        finally { (Gemm.ConvEightRows, Gemm.ConvInPlace) = (eight, inPlace); }
        Console.WriteLine("| all convs (× nodes) | 22 | " + string.Join(" | ", wallTotal.Select((t, i) => $"{t:F1} ({cpuTotal[i]:F1})")) + " | |");
        Console.WriteLine($"Load average after the runs: {Timing.LoadAverage()}.");
        return allSame ? 0 : 1;

        static void Use(int path) => (Gemm.ConvEightRows, Gemm.ConvInPlace) = (Paths[path].EightRows, Paths[path].InPlace);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds, Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>CPU time of the whole process in ms (Linux CLOCK_PROCESS_CPUTIME_ID = 2), or NaN elsewhere.</summary>
    private static double CpuMs()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        return ClockGetTime(2, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
    }
}
