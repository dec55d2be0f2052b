using Engine.Kernels;
using Engine.Kernels.Native;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// The NVRTC fallback against the libnvrtc installed here (Debian's CUDA 11.8 ships it as libnvrtc.so.11.2):
/// a cubin for a card NVRTC knows, PTX for the newest architecture it knows when it does not know the card.
/// </summary>
[TestFixture]
public sealed class NvrtcCubinTests
{
    private const string Kernel = "extern \"C\" __global__ void twice(float* x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] *= 2.0f; }";

    [Test]
    public void NvrtcElevenIsLookedForUnderItsSoname()
    {
        Assert.That(NativeLibraries.Candidates(NvrtcNative.Library), Does.Contain("libnvrtc.so.11.2"));
        Assert.That(NativeLibraries.Candidates(CuBlasNative.Library), Does.Not.Contain("libcublas.so.11.2"));
    }

    [Test]
    public void ACardNvrtcKnowsGetsACubin()
    {
        if (!Nvrtc.IsAvailable) Assert.Ignore("libnvrtc is not installed here.");
        var (image, source) = Nvrtc.CompileForDevice(Kernel, "twice.cu", 80);
        Assert.That(image.Take(4), Is.EqualTo(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), source);
        Assert.That(source, Does.Contain("cubin for sm_80"));
    }

    [Test]
    public void ACardNewerThanNvrtcGetsPtxForTheNewestArchitectureItKnows()
    {
        if (!Nvrtc.IsAvailable) Assert.Ignore("libnvrtc is not installed here.");
        int[] known = Nvrtc.SupportedArchitectures();
        Assert.That(known, Does.Contain(80));
        int future = known.Max() + 100; // a card this NVRTC has never heard of
        var (image, source) = Nvrtc.CompileForDevice(Kernel, "twice.cu", future);
        string text = System.Text.Encoding.UTF8.GetString(image);
        Assert.That(text, Does.Contain(".entry twice(").And.Contain($".target sm_{known.Max()}"), source);
        Assert.That(source, Does.Contain($"PTX for compute_{known.Max()}").And.Contain($"does not know sm_{future}"));
    }

    [Test]
    public void ACompileErrorIsReportedWithNvrtcsLog()
    {
        if (!Nvrtc.IsAvailable) Assert.Ignore("libnvrtc is not installed here.");
        var e = Assert.Throws<CudaException>(() => Nvrtc.CompileForDevice("__global__ void broken( {", "broken.cu", 80))!;
        Assert.That(e.Message, Does.Contain("broken.cu").And.Contain("sm_80"));
    }
}
