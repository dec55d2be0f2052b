namespace Engine.Nn;

/// <summary>
/// What MaxPool2d and AvgPool2d share: a KH×KW window, a stride (defaults to the window) and padding,
/// each an (h, w) pair, checked once here.
/// </summary>
public abstract class Pool2d : Module
{
    /// <summary>Checks and stores the window settings; <paramref name="name"/> names the module in errors.</summary>
    protected Pool2d(string name, (int H, int W) kernelSize, (int H, int W)? stride, (int H, int W) padding, bool ceilMode)
    {
        var s = stride ?? kernelSize;
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || s.H <= 0 || s.W <= 0 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException($"{name}: kernel_size and stride must be positive and padding ≥ 0, got kernel {kernelSize}, stride {s}, padding {padding}.");
        KernelSize = kernelSize;
        Stride = s;
        Padding = padding;
        CeilMode = ceilMode;
    }

    /// <summary>Window height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows (h, w).</summary>
    public (int H, int W) Stride { get; }

    /// <summary>Padding on the top/bottom and left/right.</summary>
    public (int H, int W) Padding { get; }

    /// <summary>Output size rounded up: a last window may hang over the bottom or right edge (it starts inside the input or its top/left padding).</summary>
    public bool CeilMode { get; }

    /// <summary>A pair as PyTorch prints a pooling argument given as an int ("2") or a tuple ("(2, 3)").</summary>
    protected static string Text((int H, int W) v, bool square) => square
        ? v.H.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"({v.H}, {v.W})";

    /// <summary>"True" or "False".</summary>
    protected static string Text(bool b) => b ? "True" : "False";
}
