namespace Engine.Nn;

/// <summary>
/// What MaxPool2d and AvgPool2d share: a KH×KW window, a stride (defaults to the window height)
/// and padding on every side, checked once here.
/// </summary>
public abstract class Pool2d : Module
{
    /// <summary>Checks and stores the window settings; <paramref name="name"/> names the module in errors.</summary>
    protected Pool2d(string name, (int H, int W) kernelSize, int? stride, int padding)
    {
        if (kernelSize.H <= 0 || kernelSize.W <= 0 || stride <= 0 || padding < 0)
            throw new ArgumentException($"{name}: kernel_size and stride must be positive and padding ≥ 0, got kernel {kernelSize.H}×{kernelSize.W}, stride {stride}, padding {padding}.");
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize.H;
        Padding = padding;
    }

    /// <summary>Window height and width.</summary>
    public (int H, int W) KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Padding { get; }

    /// <summary>The kernel size as PyTorch prints it: "2" or "(2, 3)".</summary>
    protected string KernelText => KernelSize.H == KernelSize.W
        ? KernelSize.H.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"({KernelSize.H}, {KernelSize.W})";
}
