using NUnit.Framework;
using Engine.Kernels;

namespace Engine.Tests.Ops;

/// <summary>
/// The CUDA backend against CpuReference, case by case; plus device behaviour. Ignored (with the
/// reason) on machines without a usable GPU — on the GPU machine the same checks run from the
/// self-contained `chapters gpu-check` (scripts/device-check.sh), since that machine has no .NET.
/// </summary>
[TestFixture]
public sealed class CudaOpTests : OpSuite
{
    protected override Device Device => Device.Cuda(0);

    [OneTimeSetUp]
    public void RequireDevice()
    {
        if (DeviceRegistry.CudaDeviceCount == 0) Assert.Ignore($"No CUDA device: {DeviceRegistry.CudaUnavailableReason}.");
    }

    [Test]
    public void TensorsRoundTripThroughTheDevice()
    {
        var data = Enumerable.Range(0, 1001).Select(i => i * 0.5f - 3).ToArray();
        using var x = Tensor.FromArray(data, [7, 143]);
        using var g = x.To(Device);
        using var back = g.To(Device.Cpu);
        Assert.That(g.Device, Is.EqualTo(Device));
        Assert.That(back.ToArray<float>(), Is.EqualTo(data));
    }

    [Test]
    public void OutOfRangeIndicesThrowNamingTheOp()
    {
        using var x = Tensor.Zeros([4, 3], DType.Float32, Device);
        using var idx = Tensor.FromArray(new[] { 0, 9 }, null, Device);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(idx).Dispose());
        Assert.That(e!.Message, Does.Contain("IndexSelect").And.Contain("9"));
    }

    [Test]
    public void AllocatorCountsAndReusesMemory()
    {
        var backend = (CudaBackend)DeviceRegistry.Backend(Device);
        long before = backend.Context.Allocator.Allocated;
        var t = Tensor.Zeros([1000, 1000], DType.Float32, Device);
        Assert.That(backend.Context.Allocator.Allocated - before, Is.EqualTo(CachingAllocator.RoundUp(4_000_000)));
        Assert.That(Device.MemoryAllocated, Is.EqualTo(backend.Context.Allocator.Allocated));
        Assert.That(Device.MaxMemoryAllocated, Is.GreaterThanOrEqualTo(Device.MemoryAllocated));
        Assert.That(Device.MemoryReserved, Is.GreaterThanOrEqualTo(Device.MemoryAllocated));
        long mallocs = backend.Context.Allocator.DriverAllocations;
        t.Dispose();
        using var again = Tensor.Zeros([1000, 1000], DType.Float32, Device);
        Assert.That(backend.Context.Allocator.DriverAllocations, Is.EqualTo(mallocs), "the freed block was not reused");
        Assert.That(again.ToArray<float>().All(v => v == 0), "a reused block must come back zero-filled");
    }

    [Test]
    public void TrainingStepMatchesCpuWithTheSameSeed()
    {
        float[] Step(Device d)
        {
            var g = new Generator(42);
            using var x = Tensor.Randn([100, 784], generator: g).To(d);
            using var w1 = (Tensor.Randn([784, 50], generator: g) * 0.01).To(d).RequiresGrad_();
            using var w2 = (Tensor.Randn([50, 10], generator: g) * 0.01).To(d).RequiresGrad_();
            var labels = Enumerable.Range(0, 100).Select(i => i % 10).ToArray();
            using var t = Tensor.FromArray(labels).OneHot(10).To(d);
            var logits = x.MatMul(w1).Relu().MatMul(w2);
            var loss = ((logits.LogSoftmax() * t).Sum() * (-1.0 / 100));
            loss.Backward();
            return w1.Grad!.Cpu().ToArray<float>().Concat(w2.Grad!.Cpu().ToArray<float>()).Append((float)loss.Item()).ToArray();
        }
        var cpu = Step(Device.Cpu);
        var gpu = Step(Device);
        Assert.That(Engine.Kernels.Checks.OpCheck.NormRelError(gpu.Select(v => (double)v).ToArray(), cpu.Select(v => (double)v).ToArray()), Is.LessThan(1e-4));
    }
}
