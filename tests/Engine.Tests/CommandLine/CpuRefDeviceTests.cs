using System.Globalization;
using System.Text.RegularExpressions;
using Chapters;
using NUnit.Framework;

namespace Engine.Tests.CommandLine;

/// <summary>`--device cpu-ref`: an exercise runs with every CPU op on CpuReference and prints the numbers it prints on cpu.</summary>
[TestFixture]
public sealed class CpuRefDeviceTests
{
    /// <summary>The documented tolerance (docs/reference-backend.md): float32 training numbers agree to 1e-4 relative.</summary>
    private const double Tolerance = 1e-4;

    private static (string Text, ExerciseContext Ctx) Run(string id, string device)
    {
        var options = new Dictionary<string, string> { ["device"] = device, ["quick"] = "true", ["out"] = Path.Combine(Path.GetTempPath(), "engine-tests-out", device) };
        var ctx = Cli.Context(id, options, new StringWriter());
        using (Devices.BackendScope(options))
        {
            if (Devices.IsCpuReference(device)) Assert.That(DeviceRegistry.Backend(Device.Cpu), Is.SameAs(CpuReference.Instance));
            ExerciseCatalog.Find(id).Run(ctx);
        }
        Assert.That(DeviceRegistry.Backend(Device.Cpu), Is.SameAs(CpuBackend.Instance), "the scope puts the fast CPU backend back");
        return (ctx.Out.ToString()!, ctx);
    }

    private static double[] Numbers(string text) => Regex.Matches(text, @"-?\d+(\.\d+)?([eE][-+]?\d+)?")
        .Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();

    [Test]
    public void TwoLayerNetQuickPrintsTheSameNumbersOnCpuRefAsOnCpu()
    {
        var (cpu, cpuCtx) = Run("20.3.3", "cpu");
        var (reference, refCtx) = Run("20.3.3", "cpu-ref");
        double[] a = Numbers(cpu), b = Numbers(reference);
        Assert.That(b, Has.Length.EqualTo(a.Length), $"cpu printed:\n{cpu}\ncpu-ref printed:\n{reference}");
        Assert.That(a, Has.Length.GreaterThan(3));
        for (int i = 0; i < a.Length; i++)
            Assert.That(b[i], Is.EqualTo(a[i]).Within(Tolerance * Math.Max(1, Math.Abs(a[i]))), $"number {i}: cpu {a[i]}, cpu-ref {b[i]}\ncpu:\n{cpu}\ncpu-ref:\n{reference}");
        Assert.That(refCtx.Checks.All(c => c.Pass) && cpuCtx.Checks.All(c => c.Pass), Is.True, "the book checks pass on both");
    }

    [Test]
    public void CpuRefIsAValidDeviceOptionAndOthersAreNot()
    {
        Assert.That(Devices.Parse("cpu-ref"), Is.EqualTo(Device.Cpu));
        Assert.That(Devices.IsCpuReference("CPU-REF"), Is.True);
        Assert.That(Devices.BackendScope(new Dictionary<string, string> { ["device"] = "cpu" }), Is.Null);
        Assert.Throws<ArgumentException>(() => Devices.Parse("cpu-fast"));
        var cuda = System.Reflection.DispatchProxy.Create<IBackend, CudaClaim>();
        var e = Assert.Throws<ArgumentException>(() => DeviceRegistry.UseCpuBackend(cuda));
        Assert.That(e!.Message, Does.Contain("UseCpuBackend").And.Contain("cuda:0"));
    }

    /// <summary>A backend whose Device is cuda:0 (nothing else of it is called).</summary>
    public class CudaClaim : System.Reflection.DispatchProxy
    {
        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_Device" ? Device.Cuda(0) : throw new NotSupportedException(targetMethod?.Name);
    }
}
