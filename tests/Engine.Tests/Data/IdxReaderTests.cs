using System.Buffers.Binary;
using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Data;

public class IdxReaderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "engine-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    internal static byte[] Header(int magic, params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    internal static void WriteImages(string path, int count, int rows, int cols, Func<int, byte> pixel)
    {
        var body = new byte[count * rows * cols];
        for (int i = 0; i < body.Length; i++) body[i] = pixel(i);
        File.WriteAllBytes(path, [.. Header(IdxReader.ImagesMagic, count, rows, cols), .. body]);
    }

    internal static void WriteLabels(string path, byte[] labels) =>
        File.WriteAllBytes(path, [.. Header(IdxReader.LabelsMagic, labels.Length), .. labels]);

    [Test]
    public void ReadsAGoodImageFile()
    {
        var path = Path.Combine(_dir, "img");
        WriteImages(path, 3, 2, 4, i => (byte)(i * 10));
        var images = IdxReader.ReadImages(path);
        Assert.That((images.Count, images.Rows, images.Columns), Is.EqualTo((3, 2, 4)));
        Assert.That(images.Pixels, Has.Length.EqualTo(24));
        Assert.That(images.Pixels[0], Is.EqualTo(0));
        Assert.That(images.Pixels[23], Is.EqualTo(230));
    }

    [Test]
    public void ReadsAGoodLabelFile()
    {
        var path = Path.Combine(_dir, "lbl");
        WriteLabels(path, [5, 0, 4, 1]);
        Assert.That(IdxReader.ReadLabels(path), Is.EqualTo(new byte[] { 5, 0, 4, 1 }));
    }

    [Test]
    public void BadMagicNamesFileExpectedAndFound()
    {
        var path = Path.Combine(_dir, "lbl-as-img");
        WriteLabels(path, [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("0x00000803"));
        Assert.That(e.Message, Does.Contain("0x00000801"));
    }

    [Test]
    public void GzipFileIsRecognised()
    {
        var path = Path.Combine(_dir, "img.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain("gzip"));
    }

    [Test]
    public void TruncatedBodySaysHowManyBytesWereExpected()
    {
        var path = Path.Combine(_dir, "img");
        WriteImages(path, 3, 2, 4, _ => 1);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("40 bytes"));   // 16 + 3·2·4 expected
        Assert.That(e.Message, Does.Contain("35 bytes"));   // what came
        Assert.That(e.Message, Does.Contain("truncated"));
    }

    [Test]
    public void TrailingBytesAreRejected()
    {
        var path = Path.Combine(_dir, "lbl");
        WriteLabels(path, [1, 2]);
        File.AppendAllText(path, "x");
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain("10 bytes").And.Contain("11 bytes").And.Contain("trailing"));
    }

    [Test]
    public void TruncatedHeaderIsRejected()
    {
        var path = Path.Combine(_dir, "short");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0]);   // right magic, short header
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain("header of 16 bytes").And.Contain("only 6 bytes"));
    }

    [Test]
    public void NegativeDimensionIsRejected()
    {
        var path = Path.Combine(_dir, "neg");
        File.WriteAllBytes(path, Header(IdxReader.LabelsMagic, -1));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path))!;
        Assert.That(e.Message, Does.Contain("-1"));
    }

    [Test]
    public void MissingFileSaysRunMakeData()
    {
        var path = Path.Combine(_dir, "nope-idx3-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path))!;
        Assert.That(e.Message, Does.Contain(path).And.Contain("make data"));
        Assert.That(e.FileName, Is.EqualTo(path));
    }

    [Test]
    public void MnistLoadFromSyntheticFolderChecksLabelRangeAndCounts()
    {
        var mnist = Path.Combine(_dir, "mnist");
        Directory.CreateDirectory(mnist);
        WriteImages(Path.Combine(mnist, "train-images-idx3-ubyte"), 4, 28, 28, i => (byte)(i % 256));
        WriteLabels(Path.Combine(mnist, "train-labels-idx1-ubyte"), [3, 1, 4, 1]);
        WriteImages(Path.Combine(mnist, "t10k-images-idx3-ubyte"), 2, 28, 28, _ => 255);
        WriteLabels(Path.Combine(mnist, "t10k-labels-idx1-ubyte"), [9, 2]);
        var (train, test) = Mnist.Load(oneHot: true, dataDir: _dir);
        Assert.That(train.Images.Shape, Is.EqualTo(new[] { 4, 784 }));
        Assert.That(test.Labels.ToArray<float>()[..10], Is.EqualTo(new float[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }));
        Assert.That(test.Images.ToArray<float>().Distinct(), Is.EqualTo(new[] { 1f }));
        Assert.That(train.Images.ToArray<float>()[255], Is.EqualTo(1f));

        WriteLabels(Path.Combine(mnist, "t10k-labels-idx1-ubyte"), [9, 12]);
        Mnist.ClearCache();
        var bad = Assert.Throws<InvalidDataException>(() => Mnist.Load(dataDir: _dir))!;
        Assert.That(bad.Message, Does.Contain("0–9").And.Contain("12"));

        WriteLabels(Path.Combine(mnist, "t10k-labels-idx1-ubyte"), [9, 2, 2]);
        var mismatch = Assert.Throws<InvalidDataException>(() => Mnist.Load(dataDir: _dir))!;
        Assert.That(mismatch.Message, Does.Contain("2 images").And.Contain("3 labels"));

        File.Delete(Path.Combine(mnist, "t10k-labels-idx1-ubyte"));
        var missing = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dataDir: _dir))!;
        Assert.That(missing.Message, Does.Contain("t10k-labels-idx1-ubyte").And.Contain("make data"));
        Mnist.ClearCache();
    }
}
