using System.Globalization;
using System.Text;
using Engine;

namespace Chapters.Ch21;

/// <summary>Prints a tensor's values as nested brackets, as TensorFlow.js's print() does: [[1, 4], [9, 16]].</summary>
internal static class TensorText
{
    internal static string Of(Tensor t)
    {
        var v = t.ToDoubleArray();
        var s = t.Shape;
        if (s.Length == 0) return Num(v[0]);
        var sb = new StringBuilder();
        int pos = 0;
        Write(sb, v, s, 0, ref pos);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, double[] v, int[] s, int axis, ref int pos)
    {
        sb.Append('[');
        for (int i = 0; i < s[axis]; i++)
        {
            if (i > 0) sb.Append(", ");
            if (axis == s.Length - 1) sb.Append(Num(v[pos++]));
            else Write(sb, v, s, axis + 1, ref pos);
        }
        sb.Append(']');
    }

    internal static string Num(double x) => x.ToString("G7", CultureInfo.InvariantCulture);
}
