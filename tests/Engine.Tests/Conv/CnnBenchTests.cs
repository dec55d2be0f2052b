using Chapters.Bench;
using Chapters.Ch20;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>`chapters bench cnn --device cuda` where there is no GPU, and its guard against timing the CPU instead.</summary>
public class CnnBenchTests
{
    private static (int Code, string Output) Cli(params string[] args)
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        try { return (Chapters.Cli.Run(args), output.ToString()); }
        finally { Console.SetOut(saved); }
    }

    [Test]
    public void WithoutAGpuItSaysSoAndExitsZeroOrThreeWhenRequired()
    {
        if (DeviceRegistry.CudaDeviceCount > 0) Assert.Ignore("A CUDA device is present; this test describes the no-GPU case.");
        var (code, output) = Cli("bench", "cnn", "--device", "cuda");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("no GPU"));
        (code, output) = Cli("bench", "cnn", "--device", "cuda", "--require-gpu");
        Assert.That(code, Is.EqualTo(3));
        Assert.That(output, Does.Contain("no GPU"));
    }

    [Test]
    public void TheDeviceGuardRejectsAModelLeftOnTheCpu()
    {
        var gen = new Generator(0);
        var model = Ex20_4_2_CnnMnist.Model(gen, Device.Cpu, 2, 3);
        using var x = Tensor.Rand([2, 1, 28, 28], generator: gen);
        using var labels = Tensor.FromArray(new[] { 1, 2 });
        Assert.DoesNotThrow(() => CnnBench.CheckOnDevice(model, x, labels, Device.Cpu));
        var e = Assert.Throws<InvalidOperationException>(() => CnnBench.CheckOnDevice(model, x, labels, Device.Cuda(0)));
        Assert.That(e!.Message, Does.Contain("on cpu").And.Contain("must not run on the CPU"));
    }
}
