using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Data;

public class MnistTests
{
    [Test]
    public void CountsShapesAndFirstLabel()
    {
        var (train, test) = Mnist.Load();
        Assert.That(train.Count, Is.EqualTo(60000));
        Assert.That(test.Count, Is.EqualTo(10000));
        Assert.That(train.Images.Shape, Is.EqualTo(new[] { 60000, 784 }));
        Assert.That(train.Images.DType, Is.EqualTo(DType.Float32));
        Assert.That(train.Labels.Shape, Is.EqualTo(new[] { 60000 }));
        Assert.That(train.Labels.DType, Is.EqualTo(DType.Int32));
        var labels = train.Labels.ToArray<int>();
        Assert.That(labels[..5], Is.EqualTo(new[] { 5, 0, 4, 1, 9 }));
        Assert.That(test.Labels.ToArray<int>()[..3], Is.EqualTo(new[] { 7, 2, 1 }));
        // every digit appears; the training set has 6742 ones (the best-known count of MNIST)
        Assert.That(labels.Count(l => l == 1), Is.EqualTo(6742));
    }

    [Test]
    public void NormalizedPixelsLieInUnitInterval()
    {
        var (train, _) = Mnist.Load();
        var x = train.Images.ToArray<float>();
        Assert.That(x.Min(), Is.EqualTo(0f));
        Assert.That(x.Max(), Is.EqualTo(1f));
        // mean pixel of the training set: 33.318 / 255 (the usual 0.1307 normalisation constant)
        Assert.That(x.Average(v => (double)v), Is.EqualTo(0.1307).Within(1e-4));
    }

    [Test]
    public void RawPixelsAreBytesAndImagesCanStaySquare()
    {
        var (train, test) = Mnist.Load(normalize: false, flatten: false, dtype: DType.Float64);
        Assert.That(train.Images.Shape, Is.EqualTo(new[] { 60000, 1, 28, 28 }));
        Assert.That(test.Images.Shape, Is.EqualTo(new[] { 10000, 1, 28, 28 }));
        Assert.That(test.Images.DType, Is.EqualTo(DType.Float64));
        var x = test.Images.ToArray<double>();
        Assert.That(x.Max(), Is.EqualTo(255.0));
        Assert.That(x.All(v => v == Math.Floor(v) && v >= 0), Is.True);
    }

    [Test]
    public void OneHotLabelsMatchTheDigits()
    {
        var (train, test) = Mnist.Load(oneHot: true);
        Assert.That(train.Labels.Shape, Is.EqualTo(new[] { 60000, 10 }));
        Assert.That(test.Labels.DType, Is.EqualTo(DType.Float32));
        var oh = train.Labels.ToArray<float>();
        Assert.That(oh[..10], Is.EqualTo(new float[] { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 }));
        Assert.That(oh.Sum(), Is.EqualTo(60000f));
        var (train64, _) = Mnist.Load(oneHot: true, dtype: DType.Float64);
        Assert.That(train64.Labels.DType, Is.EqualTo(DType.Float64));
    }

    [Test]
    public void BatchSampleBatchAndTake()
    {
        var (train, _) = Mnist.Load();
        var (x, t) = train.Batch([0, 2, 0]);
        Assert.That(x.Shape, Is.EqualTo(new[] { 3, 784 }));
        Assert.That(t.ToArray<int>(), Is.EqualTo(new[] { 5, 4, 5 }));
        var row0 = x.ToArray<float>();
        Assert.That(row0[..784], Is.EqualTo(row0[(2 * 784)..]));

        var (xs, ts) = train.SampleBatch(100, new Generator(7));
        Assert.That(xs.Shape, Is.EqualTo(new[] { 100, 784 }));
        Assert.That(ts.Shape, Is.EqualTo(new[] { 100 }));
        var (_, ts2) = train.SampleBatch(100, new Generator(7));
        Assert.That(ts2.ToArray<int>(), Is.EqualTo(ts.ToArray<int>()));
        var idx = new Generator(7).Choice(60000, 100);
        var all = train.Labels.ToArray<int>();
        Assert.That(ts.ToArray<int>(), Is.EqualTo(idx.Select(i => all[i]).ToArray()));

        var small = train.Take(1000);
        Assert.That(small.Count, Is.EqualTo(1000));
        Assert.That(small.Images.Shape, Is.EqualTo(new[] { 1000, 784 }));
        Assert.That(small.Labels.ToArray<int>()[0], Is.EqualTo(5));
    }

    [Test]
    public void BadDTypeIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Mnist.Load(dtype: DType.Int32))!;
        Assert.That(e.Message, Does.Contain("Mnist.Load").And.Contain("int32"));
    }

    [Test]
    public void DataFolderFindsTheRepository()
    {
        var dir = DataFolder.Resolve();
        Assert.That(Directory.Exists(Path.Combine(dir, "mnist")), Is.True, dir);
        Assert.That(DataFolder.Resolve("/some/where"), Is.EqualTo("/some/where"));
        Assert.That(DataFolder.FindRepositoryRoot(AppContext.BaseDirectory), Is.Not.Null);
        Assert.That(File.Exists(Path.Combine(DataFolder.FindRepositoryRoot(AppContext.BaseDirectory)!, "Engine.sln")), Is.True);
    }

    [Test]
    public void EnvironmentVariableOverridesTheDataFolder()
    {
        var old = Environment.GetEnvironmentVariable(DataFolder.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataFolder.EnvironmentVariable, "/tmp/engine-elsewhere");
            Assert.That(DataFolder.Resolve(), Is.EqualTo("/tmp/engine-elsewhere"));
            var e = Assert.Throws<FileNotFoundException>(() => BostonHousing.Load())!;
            Assert.That(e.Message, Does.Contain("/tmp/engine-elsewhere/boston/boston.csv").And.Contain("make data"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataFolder.EnvironmentVariable, old);
        }
    }
}
