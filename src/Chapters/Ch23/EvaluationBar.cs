using System.Globalization;

namespace Chapters.Ch23;

/// <summary>
/// A progress bar for one L-BFGS call: evaluations used of maxfun and the last loss. On a terminal it redraws
/// one line after every evaluation; into a file or a test it writes the finished bar once.
/// </summary>
internal sealed class EvaluationBar(TextWriter output, int maxfun)
{
    private const int Width = 20;
    private readonly bool _live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    private int _count;
    private double _last;

    public void Start() => (_count, _last) = (0, double.NaN);

    public void Step(double loss)
    {
        _count++;
        _last = loss;
        if (_live) output.Write("\r" + Line());
    }

    public void Finish() => output.Write((_live ? "\r" : "") + Line() + Environment.NewLine);

    private string Line()
    {
        int filled = maxfun == 0 ? Width : Math.Min(Width, _count * Width / maxfun);
        return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', Width - filled)}] {_count}/{maxfun} evaluations, loss {_last:E4}");
    }
}
