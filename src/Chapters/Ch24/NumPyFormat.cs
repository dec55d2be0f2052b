using System.Globalization;
using Engine;

namespace Chapters.Ch24;

/// <summary>
/// Prints arrays the way NumPy's default print options do (precision 8, 'maxprec'), so the exercises
/// print what the book printed: fixed notation padded with spaces ([[-1.72 -3.5 ]]), or scientific with
/// a common mantissa length ([[3.50000000e-07 1.00001394e-01] …]) when values span more than 1e3 or
/// go below 1e-4; booleans as True/False. Rows of a 2-D array go on separate lines like NumPy.
/// </summary>
internal static class NumPyFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A float tensor (rank 0, 1 or 2).</summary>
    public static string Array(Tensor t) => t.Rank switch
    {
        0 => Scalar(t.Item()),
        1 or 2 => Array(t.ToDoubleArray(), t.Shape),
        _ => throw new ArgumentException($"NumPyFormat: rank {t.Rank} is not supported (0–2)."),
    };

    /// <summary>A NumPy float64 scalar: its shortest form after rounding float noise to 10 significant digits (3.8021).</summary>
    public static string Scalar(double v) => double.Parse(v.ToString("G10", Inv), Inv).ToString("R", Inv).Replace("E", "e");

    /// <summary>The one-line form used in check rows: NumPy's text with the row breaks removed.</summary>
    public static string OneLine(string numpyText) => numpyText.Replace("\n", "");

    /// <summary>Values of shape [n] or [rows, cols].</summary>
    public static string Array(double[] values, int[] shape) => Layout(Cells(values), shape);

    /// <summary>Booleans like NumPy ([[False  True] [ True False]]), shape [n] or [rows, cols].</summary>
    public static string Bools(bool[] values, int[] shape)
    {
        var cells = values.Select(b => b ? "True" : "False").ToArray();
        int w = cells.Max(c => c.Length);
        return Layout(cells.Select(c => c.PadLeft(w)).ToArray(), shape);
    }

    private static string Layout(string[] cells, int[] shape)
    {
        if (shape.Length == 1) return "[" + string.Join(" ", cells) + "]";
        if (shape.Length != 2) throw new ArgumentException($"NumPyFormat: shape {Tensor.ShapeString(shape)} is not supported (1-D or 2-D).");
        int rows = shape[0], cols = shape[1];
        var lines = new List<string>();
        for (int r = 0; r < rows; r++)
            lines.Add("[" + string.Join(" ", cells.Skip(r * cols).Take(cols)) + "]");
        return "[" + string.Join("\n ", lines) + "]";
    }

    /// <summary>NumPy's FloatingFormat for one array: every cell padded to a common layout.</summary>
    private static string[] Cells(double[] values)
    {
        var nonZero = values.Where(v => v != 0 && double.IsFinite(v)).Select(Math.Abs).ToArray();
        bool exp = nonZero.Length > 0 && (nonZero.Max() >= 1e8 || nonZero.Min() < 1e-4 || nonZero.Max() / nonZero.Min() > 1e3);
        return exp ? Scientific(values) : Positional(values);
    }

    private static string[] Positional(double[] values)
    {
        var raw = values.Select(v =>
        {
            string s = Math.Round(v, 8).ToString("0.########", Inv);
            return s.Contains('.') ? s : s + ".";
        }).ToArray();
        int left = raw.Max(s => s.IndexOf('.'));
        int right = raw.Max(s => s.Length - s.IndexOf('.') - 1);
        return raw.Select(s =>
        {
            int dot = s.IndexOf('.');
            return s[..dot].PadLeft(left) + "." + s[(dot + 1)..].PadRight(right);
        }).ToArray();
    }

    private static string[] Scientific(double[] values)
    {
        // digits each value needs (at most 8), then every value printed with the largest of them
        int digits = values.Max(v =>
        {
            string m = v.ToString("E8", Inv).Split('E')[0].TrimEnd('0');
            return m.Length - m.IndexOf('.') - 1;
        });
        var raw = values.Select(v =>
        {
            var parts = v.ToString("E" + digits, Inv).Split('E');
            string mantissa = parts[0].Contains('.') ? parts[0] : parts[0] + ".";
            int e = int.Parse(parts[1], Inv);
            return mantissa + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", Inv);
        }).ToArray();
        int left = raw.Max(s => s.IndexOf('.'));
        return raw.Select(s => s.PadLeft(s.Length + left - s.IndexOf('.'))).ToArray();
    }
}
