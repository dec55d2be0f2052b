using NUnit.Framework;
using Engine.Kernels;

namespace Engine.Tests.Ops;

/// <summary>kernels.cu as the backend sees it: embedded, and compilable by NVRTC (the fallback when no PTX was built).</summary>
[TestFixture]
public sealed class KernelSourceTests
{
    [Test]
    public void KernelsCuCompilesWithNvrtc()
    {
        if (!Nvrtc.IsAvailable) Assert.Ignore("libnvrtc is not installed here.");
        var (ptx, source) = Nvrtc.Compile(KernelLibrary.KernelSource, "kernels.cu", 80);
        string text = System.Text.Encoding.UTF8.GetString(ptx);
        Assert.That(text, Does.Contain(".entry relu_backward_f32(").And.Contain(".entry sgemm_vectorized(").And.Contain(".entry adam_update_f64("), source);
    }

    [Test]
    public void EmbeddedPtxAndSourceAgreeOnTheKernels()
    {
        var ptx = KernelLibrary.EmbeddedPtx;
        Assert.That(ptx, Is.Not.Null, "run `make ptx` before building");
        string text = System.Text.Encoding.UTF8.GetString(ptx!);
        int entries = System.Text.RegularExpressions.Regex.Matches(text, @"\.entry ").Count;
        Assert.That(entries, Is.GreaterThan(140), "kernels in the embedded PTX");
        Assert.That(KernelLibrary.KernelSource, Does.Contain("nvcc -ccbin clang-14 -ptx"));
    }
}
