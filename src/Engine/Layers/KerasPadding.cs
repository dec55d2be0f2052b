namespace Engine.Layers;

/// <summary>
/// Keras's (TensorFlow's) padding rule for one axis of a window of size k moving by stride s over n cells:
/// "valid" uses no padding, out = ⌊(n − k)/s⌋ + 1; "same" gives out = ⌈n/s⌉ and pads
/// total = max((out − 1)·s + k − n, 0) cells, ⌊total/2⌋ before and the rest (one more when odd) after.
/// </summary>
internal static class KerasPadding
{
    /// <summary>"valid" or "same" (any case, as Keras accepts), else an error naming the layer.</summary>
    internal static string Check(string padding, string layer) =>
        padding.ToLowerInvariant() is "valid" or "same" ? padding.ToLowerInvariant()
            : throw new ArgumentException($"{layer}: padding must be \"valid\" or \"same\", got \"{padding}\".");

    /// <summary>Output size along one axis; "valid" with a window larger than the input is an error naming the layer and axis.</summary>
    internal static int OutSize(string padding, int n, int k, int s, string layer, string axis)
    {
        if (padding == "same") return (n + s - 1) / s;
        if (n < k) throw new ArgumentException($"{layer}: the window {k} is larger than the input {axis} {n} (padding \"valid\").");
        return (n - k) / s + 1;
    }

    /// <summary>Cells padded (before, after) along one axis.</summary>
    internal static (int Before, int After) Pads(string padding, int n, int k, int s)
    {
        if (padding == "valid") return (0, 0);
        int total = Math.Max(((n + s - 1) / s - 1) * s + k - n, 0);
        return (total / 2, total - total / 2);
    }
}
