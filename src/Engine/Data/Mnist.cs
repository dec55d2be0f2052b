using System.Collections.Concurrent;

namespace Engine.Data;

/// <summary>
/// MNIST handwritten digits (60 000 training and 10 000 test images of 28×28 grey pixels, labels 0–9)
/// from the original IDX files that <c>make data</c> puts in <c>data/mnist/</c>. Like DLfS's
/// <c>load_mnist(normalize, flatten, one_hot_label)</c>. The parsed files are cached per process, so
/// repeated loads only rebuild the tensors.
/// </summary>
public static class Mnist
{
    /// <summary>Sub-folder of the data folder holding the IDX files.</summary>
    public const string Folder = "mnist";

    /// <summary>Image height and width in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per image (28·28).</summary>
    public const int Pixels = Side * Side;

    /// <summary>Number of classes (digits 0–9).</summary>
    public const int Classes = 10;

    /// <summary>File names of the training images and labels, then the test images and labels.</summary>
    public static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private sealed record Part(IdxImages Images, byte[] Labels);

    private static readonly ConcurrentDictionary<string, Lazy<(Part Train, Part Test)>> Cache = new();

    /// <summary>
    /// Loads the training and test sets (CPU tensors; the files are parsed once per process).
    /// </summary>
    /// <param name="normalize">Pixels as floats in [0, 1] (x/255) when true, else 0..255.</param>
    /// <param name="flatten">Images [N, 784] when true, else [N, 1, 28, 28].</param>
    /// <param name="oneHot">Labels one-hot [N, 10] of <paramref name="dtype"/> when true, else Int32 [N].</param>
    /// <param name="dtype">Float32 (default) or Float64 for the images (and one-hot labels).</param>
    /// <param name="dataDir">The data folder; default <see cref="DataFolder.Resolve"/>.</param>
    public static (MnistSet Train, MnistSet Test) Load(bool normalize = true, bool flatten = true, bool oneHot = false,
        DType dtype = DType.Float32, string? dataDir = null)
    {
        if (!dtype.IsFloat())
            throw new ArgumentException($"Mnist.Load: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
        var dir = Path.Combine(DataFolder.Resolve(dataDir), Folder);
        var lazy = Cache.GetOrAdd(dir, d => new Lazy<(Part, Part)>(() => (Read(d, 0), Read(d, 2))));
        (Part, Part) parts;
        try { parts = lazy.Value; }
        catch { Cache.TryRemove(dir, out _); throw; }
        var (train, test) = parts;
        return (Build(train, normalize, flatten, oneHot, dtype), Build(test, normalize, flatten, oneHot, dtype));
    }

    /// <summary>Forgets the parsed files (the next <see cref="Load"/> reads them again).</summary>
    public static void ClearCache() => Cache.Clear();

    private static Part Read(string dir, int first)
    {
        string imagesPath = Path.Combine(dir, FileNames[first]), labelsPath = Path.Combine(dir, FileNames[first + 1]);
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Rows != Side || images.Columns != Side)
            throw new InvalidDataException($"MNIST images '{imagesPath}': expected {Side}×{Side} images but the file holds {images.Rows}×{images.Columns}.");
        if (labels.Length != images.Count)
            throw new InvalidDataException($"MNIST: '{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels; expected the same count.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= Classes)
                throw new InvalidDataException($"MNIST labels '{labelsPath}': expected digits 0–9 but label {i} is {labels[i]}.");
        return new Part(images, labels);
    }

    private static MnistSet Build(Part part, bool normalize, bool flatten, bool oneHot, DType dtype)
    {
        int n = part.Images.Count;
        int[] imageShape = flatten ? [n, Pixels] : [n, 1, Side, Side];
        var px = part.Images.Pixels;
        Array imageData;
        if (dtype == DType.Float32)
        {
            var a = new float[px.Length];
            // float32 division like DLfS's x.astype(np.float32) / 255.0
            if (normalize) for (int i = 0; i < a.Length; i++) a[i] = px[i] / 255f;
            else for (int i = 0; i < a.Length; i++) a[i] = px[i];
            imageData = a;
        }
        else
        {
            var a = new double[px.Length];
            if (normalize) for (int i = 0; i < a.Length; i++) a[i] = px[i] / 255.0;
            else for (int i = 0; i < a.Length; i++) a[i] = px[i];
            imageData = a;
        }
        Array labelData;
        int[] labelShape;
        if (oneHot)
        {
            labelShape = [n, Classes];
            if (dtype == DType.Float32)
            {
                var a = new float[n * Classes];
                for (int i = 0; i < n; i++) a[i * Classes + part.Labels[i]] = 1;
                labelData = a;
            }
            else
            {
                var a = new double[n * Classes];
                for (int i = 0; i < n; i++) a[i * Classes + part.Labels[i]] = 1;
                labelData = a;
            }
        }
        else
        {
            labelShape = [n];
            var a = new int[n];
            for (int i = 0; i < n; i++) a[i] = part.Labels[i];
            labelData = a;
        }
        var images = new Tensor(new CpuStorage(imageData), imageShape) { Persistent = true };
        var labels = new Tensor(new CpuStorage(labelData), labelShape) { Persistent = true };
        return new MnistSet(images, labels);
    }
}
