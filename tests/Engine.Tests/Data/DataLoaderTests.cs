using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Data;

public class DataLoaderTests
{
    // 506 samples like Boston: x[i] = [i, 2i], y[i] = i
    private static TensorDataset Dataset(int n = 506)
    {
        var x = new float[n * 2];
        for (int i = 0; i < n; i++) { x[2 * i] = i; x[2 * i + 1] = 2 * i; }
        return new TensorDataset(Tensor.FromArray(x, [n, 2]), Tensor.FromArray(Enumerable.Range(0, n).ToArray()));
    }

    [Test]
    public void BatchShapesWithAndWithoutDropLast()
    {
        var loader = new DataLoader(Dataset(), batchSize: 128);
        Assert.That(loader.Count, Is.EqualTo(4));
        var batches = loader.ToList();
        Assert.That(batches.Select(b => b.X.Dim(0)), Is.EqualTo(new[] { 128, 128, 128, 122 }));
        Assert.That(batches[3].X.Shape, Is.EqualTo(new[] { 122, 2 }));
        Assert.That(batches[3].Y.Shape, Is.EqualTo(new[] { 122 }));
        Assert.That(batches[0].Y.ToArray<int>()[..3], Is.EqualTo(new[] { 0, 1, 2 }));

        var dropping = new DataLoader(Dataset(), batchSize: 128, dropLast: true);
        Assert.That(dropping.Count, Is.EqualTo(3));
        Assert.That(dropping.Select(b => b.X.Dim(0)), Is.EqualTo(new[] { 128, 128, 128 }));
    }

    [Test]
    public void ShuffleIsDeterministicPerSeedAndNewEveryEpoch()
    {
        int[] Epoch(DataLoader l) => l.SelectMany(b => b.Y.ToArray<int>()).ToArray();
        var a = new DataLoader(Dataset(), batchSize: 128, shuffle: true, seed: 3);
        var b = new DataLoader(Dataset(), batchSize: 128, shuffle: true, seed: 3);
        var c = new DataLoader(Dataset(), batchSize: 128, shuffle: true, generator: new Generator(4));
        var a1 = Epoch(a); var a2 = Epoch(a);
        Assert.That(Epoch(b), Is.EqualTo(a1));
        Assert.That(Epoch(b), Is.EqualTo(a2));
        Assert.That(a2, Is.Not.EqualTo(a1));
        Assert.That(Epoch(c), Is.Not.EqualTo(a1));
        Assert.That(a1, Is.Not.EqualTo(Enumerable.Range(0, 506).ToArray()));
    }

    [Test]
    public void EverySampleOncePerEpochAndRowsStayPaired()
    {
        var loader = new DataLoader(Dataset(), batchSize: 100, shuffle: true, seed: 1);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<int>();
            foreach (var (x, y) in loader)
            {
                var xs = x.ToArray<float>();
                var ys = y.ToArray<int>();
                for (int i = 0; i < ys.Length; i++)
                {
                    Assert.That(xs[2 * i], Is.EqualTo((float)ys[i]));
                    Assert.That(xs[2 * i + 1], Is.EqualTo(2f * ys[i]));
                }
                seen.AddRange(ys);
            }
            Assert.That(seen.Order(), Is.EqualTo(Enumerable.Range(0, 506)));
        }
    }

    [Test]
    public void PinnedBatchesLiveInPinnedHostMemory()
    {
        var loader = new DataLoader(Dataset(), batchSize: 128, shuffle: true, seed: 5, pinMemory: true);
        var plain = new DataLoader(Dataset(), batchSize: 128, shuffle: true, seed: 5);
        var pinned = loader.ToList();
        var unpinned = plain.ToList();
        Assert.That(pinned, Has.Count.EqualTo(4));
        for (int i = 0; i < pinned.Count; i++)
        {
            Assert.That(((CpuStorage)pinned[i].X.Storage).IsPinned, Is.True);
            Assert.That(((CpuStorage)pinned[i].Y.Storage).IsPinned, Is.True);
            Assert.That(((CpuStorage)unpinned[i].X.Storage).IsPinned, Is.False);
            Assert.That(pinned[i].X.ToArray<float>(), Is.EqualTo(unpinned[i].X.ToArray<float>()));
            Assert.That(pinned[i].Y.ToArray<int>(), Is.EqualTo(unpinned[i].Y.ToArray<int>()));
        }
    }

    [Test]
    public void BadInputIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros([3, 2]), Tensor.Zeros([4])))!;
        Assert.That(e.Message, Does.Contain("[3, 2]").And.Contain("[4]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Dataset(), batchSize: 0));
    }

    [Test]
    public void MnistTrainsThroughALoader()
    {
        var (train, _) = Mnist.Load();
        var loader = new DataLoader(train.Take(1000).ToDataset(), batchSize: 128, shuffle: true, seed: 0, dropLast: true);
        Assert.That(loader.Count, Is.EqualTo(7));
        var first = loader.First();
        Assert.That(first.X.Shape, Is.EqualTo(new[] { 128, 784 }));
        Assert.That(first.Y.DType, Is.EqualTo(DType.Int32));
    }
}
