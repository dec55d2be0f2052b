using NUnit.Framework;
using Engine.Kernels;

namespace Engine.Tests.Ops;

/// <summary>What the engine does on a machine without a GPU (runs only there; the CPU CI machine is one).</summary>
[TestFixture]
public sealed class NoGpuTests
{
    [OneTimeSetUp]
    public void RequireNoDevice()
    {
        if (DeviceRegistry.CudaDeviceCount > 0) Assert.Ignore("A CUDA device is present; these tests describe the no-GPU case.");
    }

    [Test]
    public void CudaIsReportedUnavailableWithAReason()
    {
        Assert.That(CudaRuntime.DeviceCount, Is.Zero);
        Assert.That(DeviceRegistry.CudaUnavailableReason, Does.Contain("libcuda").Or.Contain("CUDA_ERROR_NO_DEVICE").Or.Contain("cuInit"));
        Assert.That(Device.CudaIfAvailable(), Is.EqualTo(Device.Cpu));
    }

    [Test]
    public void AskingForCudaThrowsAClearError()
    {
        var e = Assert.Throws<DeviceUnavailableException>(() => Tensor.Zeros([2], DType.Float32, Device.Cuda(0)));
        Assert.That(e!.Message, Does.Contain("cuda:0").And.Contain("--device cpu"));
        Assert.That(CudaMemory.Allocated(), Is.Zero);
        Assert.That(Device.Cuda(0).MemoryAllocated, Is.Zero);
    }

    [Test]
    public void DevicesCommandSaysSoAndExitsZero()
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        int code;
        try
        {
            code = Chapters.Cli.Run(["devices"]);
        }
        finally
        {
            Console.SetOut(saved);
        }
        Assert.That(code, Is.Zero);
        Assert.That(output.ToString(), Does.Contain("no GPU"));
    }

    [Test]
    public void CachingAllocatorRoundsSizes()
    {
        Assert.That(CachingAllocator.RoundUp(1), Is.EqualTo(512));
        Assert.That(CachingAllocator.RoundUp(513), Is.EqualTo(1024));
        Assert.That(CachingAllocator.RoundUp(3 << 20), Is.EqualTo(4 << 20));
    }
}
