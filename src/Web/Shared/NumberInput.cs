using System.Globalization;

namespace Web;

/// <summary>
/// Reads the x a user typed for the y = 2x − 1 model. The browser page and the server's
/// <c>/api/line/predict</c> share these rules (this file is compiled into both), so both reject the
/// same inputs with the same message: empty, not a number, NaN, ±∞ and |x| above <see cref="MaxAbs"/>.
/// </summary>
public static class NumberInput
{
    /// <summary>The largest |x| accepted; the line was learned on x in [−1, 4], so this is already far outside it.</summary>
    public const double MaxAbs = 1e6;

    /// <summary>Longest text accepted (a number needs far fewer characters).</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Parses <paramref name="text"/> as an invariant-culture number ("5", "-1.5", "2e3").
    /// Returns true with <paramref name="value"/> set, or false with <paramref name="error"/> saying what is wrong.
    /// </summary>
    public static bool TryParse(string? text, out double value, out string error)
    {
        value = 0;
        string s = (text ?? "").Trim();
        if (s.Length == 0)
        {
            error = "Type a number for x (for example 5).";
            return false;
        }
        if (s.Length > MaxLength)
        {
            error = $"x is too long ({s.Length} characters); type a number of at most {MaxLength} characters.";
            return false;
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x))
        {
            error = $"\"{s}\" is not a number; type a number for x (for example 5).";
            return false;
        }
        if (double.IsNaN(x) || double.IsInfinity(x))
        {
            error = $"x must be a finite number, got {s}.";
            return false;
        }
        if (Math.Abs(x) > MaxAbs)
        {
            error = $"x = {s} is too large; type a number between -{MaxAbs:0} and {MaxAbs:0}.";
            return false;
        }
        value = x;
        error = "";
        return true;
    }
}
