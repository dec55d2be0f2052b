using Engine;

namespace Chapters.Bench;

/// <summary>
/// A per-op profile of a training step: random and zero tensors of the step's shapes, each op timed alone (best of
/// <see cref="Runs"/> single calls after a warm-up, <see cref="Timing.BestCallMs"/>), then a table of milliseconds and
/// shares of the ops' sum. The ops are timed one by one, so the sum leaves out what lies between them.
/// </summary>
internal sealed class OpProfile
{
    /// <summary>Timed calls per op.</summary>
    public const int Runs = 30;

    private readonly List<(string Op, double Ms)> rows = [];

    /// <summary>The generator of the random tensors (seed 1).</summary>
    public Generator Generator { get; } = new(1);

    /// <summary>A standard-normal tensor of this shape.</summary>
    public Tensor R(params int[] shape) => Tensor.Randn(shape, generator: Generator);

    /// <summary>A zero tensor of this shape.</summary>
    public Tensor Z(params int[] shape) => Tensor.Zeros(shape);

    /// <summary>Times one call of <paramref name="run"/> and adds it as a row named <paramref name="op"/>.</summary>
    public void Time(string op, Action run) => rows.Add((op, Timing.BestCallMs(run, Runs)));

    /// <summary>Prints <paramref name="title"/>, one line per op (ms, share) and the ops' sum.</summary>
    public void Print(string title)
    {
        double sum = rows.Sum(r => r.Ms);
        Console.WriteLine();
        Console.WriteLine($"{title}, best of {Runs} runs");
        Console.WriteLine($"{"op",-40} {"ms",8} {"share",7}");
        foreach (var (op, ms) in rows) Console.WriteLine($"{op,-40} {ms,8:F3} {100 * ms / sum,6:F1}%");
        Console.WriteLine($"{"sum of the ops",-40} {sum,8:F3}");
    }
}
