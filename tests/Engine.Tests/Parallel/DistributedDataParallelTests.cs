using Engine.Distributed;
using Engine.Nn;
using Engine.Parallelism;
using NUnit.Framework;

namespace Engine.Tests.Parallel;

/// <summary>DDP's bucketing and its error paths in-process, over a world of one (no MPI; the cross-process runs are in <see cref="LaunchTests"/>).</summary>
public class DistributedDataParallelTests
{
    /// <summary>A process group of one rank: every collective is the identity (Avg of one is the value itself).</summary>
    private sealed class SoloGroup() : ProcessGroup(TimeSpan.FromSeconds(5))
    {
        public int AllReduces;
        public override string Backend => "solo";
        public override int Rank => 0;
        public override int WorldSize => 1;
        public override Device BufferDevice => Device.Cpu;
        public override Work AllReduceAsync(Tensor tensor, AllReduceOp op = AllReduceOp.Sum) { AllReduces++; return new Work(Task.CompletedTask, this, "all_reduce"); }
        public override Work BroadcastAsync(Tensor tensor, int root = 0) => new(Task.CompletedTask, this, "broadcast");
        public override Work BarrierAsync() => new(Task.CompletedTask, this, "barrier");
        public override void Dispose() { }
    }

    private sealed class TwoHeads : Module
    {
        private readonly TinyNet _body = new(1, new());
        private readonly Tensor _unused;
        public bool UseTwice { get; set; }
        public TwoHeads()
        {
            RegisterModule("body", _body);
            _unused = RegisterParameter("unused", Tensor.Ones([3]));
        }
        public override Tensor Forward(Tensor input) => UseTwice ? _body.Forward(input) + _body.Forward(input) : _body.Forward(input);
    }

    [Test]
    public void BucketsFollowTheCapInReverseOrderAndGradientsSurviveTheRoundTrip()
    {
        var group = new SoloGroup();
        var net = new TinyNet(1, new());
        // w1 [13,8] = 416 bytes, b1 [8] = 32 bytes, w2 [8,1] = 32 bytes; cap 64 bytes.
        using var ddp = new DistributedDataParallel(net, group, bucketCapMb: 64.0 / (1024 * 1024));
        Assert.That(ddp.Buckets.Select(b => b.ParameterIndices.ToArray()), Is.EqualTo(new[] { new[] { 2, 1 }, new[] { 0 } }));
        var x = Tensor.Randn([5, 13], generator: new Generator(3));
        var reference = new TinyNet(1, new());
        reference.Forward(x).Sum().Backward();
        ddp.Forward(x).Sum().Backward();
        Assert.That(group.AllReduces, Is.EqualTo(2));
        foreach (var (p, q) in net.Parameters().Zip(reference.Parameters()))
            Assert.That(p.Grad!.ToDoubleArray(), Is.EqualTo(q.Grad!.ToDoubleArray()));
    }

    [Test]
    public void AnUnusedParameterIsNamedAtTheNextForward()
    {
        var model = new TwoHeads();
        using var ddp = new DistributedDataParallel(model, new SoloGroup());
        var x = Tensor.Randn([2, 13], generator: new Generator(1));
        ddp.Forward(x).Sum().Backward();
        var e = Assert.Throws<InvalidOperationException>(() => ddp.Forward(x));
        Assert.That(e!.Message, Does.Contain("got no gradient: unused"));
    }

    [Test]
    public void AParameterUsedTwiceIsNamed()
    {
        var model = new TwoHeads { UseTwice = true };
        using var ddp = new DistributedDataParallel(model, new SoloGroup(), bucketCapMb: 1e-6);
        var x = Tensor.Randn([2, 13], generator: new Generator(1));
        var e = Assert.Throws<InvalidOperationException>(() => ddp.Forward(x).Sum().Backward());
        Assert.That(e!.Message, Does.Contain("received a gradient twice"));
    }

    [Test]
    public void ATimedOutCollectiveBreaksTheGroup()
    {
        var never = new TaskCompletionSource();
        var g2 = new SoloGroupWithTimeout();
        var slow = new Work(never.Task, g2, "all_reduce(avg) of 3 float32");
        var e = Assert.Throws<DistributedTimeoutException>(() => slow.Wait());
        Assert.That(e!.Message, Does.Contain("did not finish within 0.2 s"));
        Assert.That(g2.IsBroken, Is.True);
        Assert.That(slow.IsCompleted, Is.False);
    }

    /// <summary>
    /// A group that, like NCCL, reduces gradients in place (no host buffer) and pretends a second rank
    /// whose gradients are zero: Avg halves every tensor it is given.
    /// </summary>
    private sealed class InPlaceHalvingGroup(Device bufferDevice) : ProcessGroup(TimeSpan.FromSeconds(5))
    {
        public readonly List<int> CoalescedSizes = new();
        public override string Backend => "in-place";
        public override int Rank => 0;
        public override int WorldSize => 1;
        public override Device BufferDevice => bufferDevice;
        public override bool PacksBucketsOnHost => false;
        public override Work AllReduceCoalescedAsync(IReadOnlyList<Tensor> tensors, AllReduceOp op = AllReduceOp.Sum)
        {
            Assert.That(op, Is.EqualTo(AllReduceOp.Avg));
            CoalescedSizes.Add(tensors.Count);
            using (Tensor.NoGrad())
                foreach (var t in tensors) t.MulInPlace(0.5);
            return new Work(Task.CompletedTask, this, "all_reduce_coalesced");
        }
        public override Work AllReduceAsync(Tensor tensor, AllReduceOp op = AllReduceOp.Sum) => throw new NotSupportedException("DDP must use the coalesced call");
        public override Work BroadcastAsync(Tensor tensor, int root = 0) => new(Task.CompletedTask, this, "broadcast");
        public override Work BarrierAsync() => new(Task.CompletedTask, this, "barrier");
        public override void Dispose() { }
    }

    [Test]
    public void AGroupThatReducesOnTheDeviceGetsEachBucketsGradientsInOneCoalescedCall()
    {
        var group = new InPlaceHalvingGroup(Device.Cpu);
        var net = new TinyNet(1, new());
        using var ddp = new DistributedDataParallel(net, group, bucketCapMb: 64.0 / (1024 * 1024));
        Assert.That(ddp.Buckets.Select(b => b.Flat), Is.All.Null, "no host buffer when the group reduces in place");
        Assert.That(ddp.Buckets.Select(b => b.Bytes), Is.EqualTo(new long[] { 64, 416 }));
        var x = Tensor.Randn([5, 13], generator: new Generator(3));
        var reference = new TinyNet(1, new());
        reference.Forward(x).Sum().Backward();
        ddp.Forward(x).Sum().Backward();
        Assert.That(group.CoalescedSizes, Is.EqualTo(new[] { 2, 1 }));
        foreach (var (p, q) in net.Parameters().Zip(reference.Parameters()))
            Assert.That(p.Grad!.ToDoubleArray(), Is.EqualTo(q.Grad!.ToDoubleArray().Select(v => v * 0.5).ToArray()));
    }

    [Test]
    public void AModelOffTheGroupsDeviceIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => new DistributedDataParallel(new TinyNet(1, new()), new InPlaceHalvingGroup(Device.Cuda(0))));
        Assert.That(e!.Message, Does.Contain("reduces on cuda:0, but parameter 'w1' is on cpu; move the model there first"));
    }

    private sealed class SoloGroupWithTimeout() : ProcessGroup(TimeSpan.FromSeconds(0.2))
    {
        public override string Backend => "solo";
        public override int Rank => 0;
        public override int WorldSize => 1;
        public override Device BufferDevice => Device.Cpu;
        public override Work AllReduceAsync(Tensor tensor, AllReduceOp op = AllReduceOp.Sum) => throw new NotSupportedException();
        public override Work BroadcastAsync(Tensor tensor, int root = 0) => throw new NotSupportedException();
        public override Work BarrierAsync() => throw new NotSupportedException();
        public override void Dispose() { }
    }
}
