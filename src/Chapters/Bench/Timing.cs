using System.Diagnostics;

namespace Chapters.Bench;

/// <summary>Best-of-N wall-clock timing, the same rule bench/cpu_peers.py uses for the peers.</summary>
public static class Timing
{
    /// <summary>
    /// Best seconds per call of <paramref name="body"/> over <paramref name="repeat"/> runs; each
    /// run makes enough calls to last at least <paramref name="minSeconds"/>. Calls for
    /// <paramref name="warmUpSeconds"/> first, so the JIT has tiered up (steady-state training speed).
    /// </summary>
    public static double BestOf(Action body, int repeat, double minSeconds = 0.02, double warmUpSeconds = 0.5)
    {
        var warm = Stopwatch.StartNew();
        do body(); while (warm.Elapsed.TotalSeconds < warmUpSeconds);
        int calls = 1;
        double seconds;
        while (true)
        {
            seconds = Measure(body, calls);
            if (seconds >= minSeconds || calls >= 1 << 20) break;
            calls *= 2;
        }
        double best = seconds / calls;
        for (int r = 1; r < repeat; r++) best = Math.Min(best, Measure(body, calls) / calls);
        return best;
    }

    /// <summary>
    /// Best milliseconds of a single call of <paramref name="run"/> over <paramref name="runs"/> runs, after at least 50
    /// warm-up calls and 0.3 s (so the JIT has replaced tier-0 code by optimised code: it recompiles a method after 30
    /// calls, in the background). For per-op profiles, where each call is one op on a step's shapes.
    /// </summary>
    public static double BestCallMs(Action run, int runs)
    {
        long warm = Stopwatch.GetTimestamp();
        for (int i = 0; i < 50 || Stopwatch.GetElapsedTime(warm).TotalSeconds < 0.3; i++) run();
        double best = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        return best;
    }

    /// <summary>The 1-minute load average of this machine ("n/a" where /proc/loadavg cannot be read), printed beside timings.</summary>
    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "n/a"; }
    }

    private static double Measure(Action body, int calls)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++) body();
        return sw.Elapsed.TotalSeconds;
    }
}
