using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Engine.Data;
using Engine.IO;
using Engine.Nn;

namespace Engine.Tests.Reliability;

/// <summary>
/// Every reader of files users hand the engine. A new reader (ONNX, Keras .h5, images) is one more line in
/// <see cref="All"/>; <see cref="CorruptFileTests"/> then runs it on truncated, bit-flipped, oversized-header
/// and wrong-type files.
/// </summary>
public static class FileReaders
{
    public static readonly FileReader[] All =
    [
        new("MNIST images (IDX)", "idx3", "mnist/train-images-idx3-ubyte", IdxImages, (_, f) => IdxReader.ReadImages(f), Strict: true),
        new("MNIST labels (IDX)", "idx1", "mnist/train-labels-idx1-ubyte", IdxLabels, (_, f) => IdxReader.ReadLabels(f), Strict: true),
        new("Boston housing (CSV)", "csv", BostonHousing.RelativePath, BostonCsv, (dir, _) => BostonHousing.Load(dir), Strict: false),
        new("safetensors", "safetensors", "model.safetensors", SafeTensorsFile, (_, f) => DisposeAll(SafeTensors.Load(f).Values), Strict: true),
        new("Module.Load (safetensors checkpoint)", "safetensors", "net.safetensors", Checkpoint, (_, f) => Net().Load(f), Strict: true),
    ];

    /// <summary>IDX header: big-endian magic, then the dimensions.</summary>
    public static byte[] IdxHeader(int magic, params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    private static byte[] IdxImages() =>
        [.. IdxHeader(IdxReader.ImagesMagic, 3, 28, 28), .. Enumerable.Range(0, 3 * 784).Select(i => (byte)(i * 7))];

    private static byte[] IdxLabels() => [.. IdxHeader(IdxReader.LabelsMagic, 10), .. Enumerable.Range(0, 10).Select(i => (byte)i)];

    /// <summary>A CSV of the real layout (header and 506 rows of 14 numbers), values made up.</summary>
    public static byte[] BostonCsv()
    {
        var sb = new StringBuilder(string.Join(",", BostonHousing.FeatureNames.Append(BostonHousing.TargetName)) + "\n");
        for (int r = 0; r < BostonHousing.Rows; r++)
            sb.Append(string.Join(",", Enumerable.Range(0, 14).Select(c => ((r * 14 + c) % 97 * 0.25).ToString(CultureInfo.InvariantCulture)))).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] SafeTensorsFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            SafeTensors.Save(path, [new("w", Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3])),
                new("step", Tensor.FromArray(new long[] { 7 })), new("b", Tensor.FromArray(new double[] { 0.5, -0.5 }))]);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    private static Module Net() => new Sequential(new Linear(3, 2, generator: new Generator(1)), new ReLU(), new Linear(2, 1, generator: new Generator(2)));

    private static byte[] Checkpoint()
    {
        var path = Path.GetTempFileName();
        try
        {
            Net().Save(path);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    private static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors) t.Dispose();
    }
}
