using System.Globalization;

namespace Engine.Layers;

/// <summary>
/// Keras's progress bar (keras.utils.Progbar, width 30): "60000/60000 [==============================] - 5s 85us/step - loss: 0.2913 - acc: 0.9148".
/// On an interactive console the bar is redrawn in place (at most ten times a second); otherwise only the
/// final line of each epoch is written.
/// </summary>
internal sealed class ProgressBar(int target, TextWriter output)
{
    private const int Width = 30;
    private readonly bool _live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    private double _lastDraw = -1;

    /// <summary>Draws the bar for <paramref name="current"/> samples done.</summary>
    public void Update(int current, IReadOnlyDictionary<string, double> logs, double seconds, bool final)
    {
        if (!final && (!_live || seconds - _lastDraw < 0.1)) return;
        _lastDraw = seconds;
        string line = Line(target, current, logs, seconds, final);
        if (_live) output.Write("\r" + line + (final ? "\n" : ""));
        else output.WriteLine(line);
    }

    /// <summary>The bar text.</summary>
    internal static string Line(int target, int current, IReadOnlyDictionary<string, double> logs, double seconds, bool final)
    {
        int digits = (int)Math.Floor(Math.Log10(Math.Max(1, target))) + 1;
        string bar = current.ToString(CultureInfo.InvariantCulture).PadLeft(digits) + "/" + target + " [";
        int progWidth = (int)(Width * ((double)current / target));
        if (progWidth > 0) bar += new string('=', progWidth - 1) + (current < target ? ">" : "=");
        bar += new string('.', Width - progWidth) + "]";
        string info;
        if (!final && current < target)
        {
            double eta = current > 0 ? seconds / current * (target - current) : 0;
            info = $" - ETA: {eta:0}s";
        }
        else
        {
            double perUnit = seconds / Math.Max(1, current) * (target > 0 ? 1 : 0);
            info = string.Create(CultureInfo.InvariantCulture, $" - {seconds:0}s");
            info += perUnit >= 1 ? string.Create(CultureInfo.InvariantCulture, $" {perUnit:0}s/step")
                : perUnit >= 1e-3 ? string.Create(CultureInfo.InvariantCulture, $" {perUnit * 1e3:0}ms/step")
                : string.Create(CultureInfo.InvariantCulture, $" {perUnit * 1e6:0}us/step");
        }
        return bar + info + (logs.Count > 0 ? " - " + Values(logs) : "");
    }

    /// <summary>"loss: 0.2913 - acc: 0.9148" (4 decimals; scientific below 1e-3, as Keras).</summary>
    internal static string Values(IReadOnlyDictionary<string, double> logs) => string.Join(" - ", logs.Select(kv =>
        kv.Key + ": " + (Math.Abs(kv.Value) > 1e-3 ? kv.Value.ToString("0.0000", CultureInfo.InvariantCulture) : kv.Value.ToString("0.0000e+00", CultureInfo.InvariantCulture))));
}
