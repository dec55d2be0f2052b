using Engine.Nn;
using Engine.Parallelism;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

public class DataParallelTests
{
    private static (Tensor X, Tensor Y) Batch(int n, ulong seed)
    {
        var g = new Generator(seed);
        return (Tensor.Randn([n, 13], generator: g), Tensor.Randn([n, 1], generator: g));
    }

    private static double[][] Grads(Module m) => m.Parameters().Select(p => p.Grad!.ToDoubleArray()).ToArray();

    private static double MaxRelDiff(double[][] a, double[][] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double scale = a[i].Max(Math.Abs);
            for (int j = 0; j < a[i].Length; j++) worst = Math.Max(worst, Math.Abs(a[i][j] - b[i][j]) / scale);
        }
        return worst;
    }

    [TestCase(128)]
    [TestCase(20)]
    [TestCase(7)]
    public void TwoCpuReplicasGiveTheSingleDeviceGradients(int batch)
    {
        var (x, y) = Batch(batch, 5);
        var single = new TinyNet(1, new());
        ((single.Forward(x) - y).Square().Mean()).Backward();

        var log = new List<string>();
        var net = new TinyNet(1, log);
        var dp = new DataParallel(net, [Device.Cpu, Device.Cpu]);
        var output = dp.Forward(x);
        Assert.That(output.Shape, Is.EqualTo(new[] { batch, 1 }));
        ((output - y).Square().Mean()).Backward();

        double diff = MaxRelDiff(Grads(single), Grads(net));
        Assert.That(diff, Is.LessThanOrEqualTo(1e-5), $"max relative gradient difference {diff}");
        Assert.That(log, Has.Count.EqualTo(2));
    }

    [Test]
    public void ChunksFollowTheBooksShapes()
    {
        var log = new List<string>();
        var dp = new DataParallel(new TinyNet(1, log), [Device.Cpu, Device.Cpu]);
        var (x, _) = Batch(128, 2);
        Assert.That(dp.Forward(x).Shape, Is.EqualTo(new[] { 128, 1 }));
        Assert.That(log, Is.EqualTo(Enumerable.Repeat("In Model: input size [64, 13] output size [64, 1]", 2)));
        log.Clear();
        var (last, _) = Batch(20, 3);
        Assert.That(dp.Forward(last).Shape, Is.EqualTo(new[] { 20, 1 }));
        Assert.That(log, Is.EqualTo(Enumerable.Repeat("In Model: input size [10, 13] output size [10, 1]", 2)));
    }

    [Test]
    public void ScatterSplitsLikeTorchChunk()
    {
        var (x, _) = Batch(5, 1);
        var chunks = Comm.Scatter(x, [Device.Cpu, Device.Cpu, Device.Cpu, Device.Cpu]);
        Assert.That(chunks.Select(c => c.Dim(0)), Is.EqualTo(new[] { 2, 2, 1 }));
        var back = Comm.Gather(chunks, Device.Cpu);
        Assert.That(back.ToDoubleArray(), Is.EqualTo(x.ToDoubleArray()));
    }

    [Test]
    public void ReplicaUpdatesDoNotTouchTheOriginalParameters()
    {
        var net = new TinyNet(1, new());
        var replica = Replicator.Replicate(net, t => t.To(Device.Cpu, copy: true));
        var originals = net.Parameters().ToArray();
        var copies = replica.Parameters().ToArray();
        Assert.That(copies, Has.Length.EqualTo(3));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(copies[i], Is.Not.SameAs(originals[i]));
            Assert.That(copies[i].ToDoubleArray(), Is.EqualTo(originals[i].ToDoubleArray()));
        }
        var (x, _) = Batch(4, 1);
        Assert.That(replica.Forward(x).ToDoubleArray(), Is.EqualTo(net.Forward(x).ToDoubleArray()));
    }

    private sealed class DictNet : Module
    {
        private readonly Dictionary<string, Tensor> _byName = new();
        public DictNet() => _byName["w"] = RegisterParameter("w", Tensor.Ones([2, 2]));
        public override Tensor Forward(Tensor input) => input.MatMul(_byName["w"]);
    }

    [Test]
    public void ReplicatingAModuleThatHidesParametersInADictionaryIsRefused()
    {
        var e = Assert.Throws<NotSupportedException>(() => Replicator.Replicate(new DictNet(), t => t.To(Device.Cpu, copy: true)));
        Assert.That(e!.Message, Does.Contain("_byName"));
    }

    [Test]
    public void ParametersOffTheOutputDeviceAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataParallel(new TinyNet(1, new()), [Device.Cuda(0)]));
        Assert.That(e!.Message, Does.Contain("output device cuda:0"));
    }
}
