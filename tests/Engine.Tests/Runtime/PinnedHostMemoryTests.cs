using System.Runtime.CompilerServices;
using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// Page-locked host memory and the copies that use it, over <see cref="FakeDriver"/>: a pinned array is
/// registered with the driver, copies from and to it are async DMA copies on the backend's stream
/// followed by a wait on that stream before the host touches the array, pageable arrays keep the
/// synchronous copies, and a lock nobody disposed is undone later, never on the finalizer thread.
/// </summary>
[TestFixture]
public sealed class PinnedHostMemoryTests
{
    private static readonly IntPtr Stream = 7;

    [Test]
    public void APinnedArrayIsRegisteredUntilItsLockIsDisposed()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        var a = GC.AllocateArray<float>(1000, pinned: true);
        var handle = pinned.Lock(a)!;
        Assert.That(pinned.IsLocked(a), Is.True);
        Assert.That(pinned.IsLocked(new float[1000]), Is.False);
        Assert.That(driver.Calls("cuMemHost"), Is.EqualTo(new[] { "cuMemHostRegister 4000" }));
        Assert.Throws<InvalidOperationException>(() => pinned.Lock(a));
        handle.Dispose();
        handle.Dispose();
        Assert.That(pinned.IsLocked(a), Is.False);
        Assert.That(driver.Calls("cuMemHost"), Is.EqualTo(new[] { "cuMemHostRegister 4000", "cuMemHostUnregister" }));
        Assert.That(pinned.Lock(Array.Empty<float>()), Is.Null);
    }

    [Test]
    public void CopiesFromAndToPageLockedMemoryAreAsyncOnTheStreamAndWaitedFor()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        var host = GC.AllocateArray<float>(256, pinned: true);
        for (int i = 0; i < host.Length; i++) host[i] = i * 0.5f;
        using var _ = pinned.Lock(host);
        driver.MemAlloc(1024, out ulong device);

        HostCopies.ToDevice(driver, pinned, Stream, host, device, 1024);
        var back = GC.AllocateArray<float>(256, pinned: true);
        using var __ = pinned.Lock(back);
        int before = driver.Log.Count;
        HostCopies.ToHost(driver, pinned, Stream, device, back, 1024);

        Assert.That(back, Is.EqualTo(host));
        Assert.That(driver.Calls("cuMemcpy"), Is.EqualTo(new[] { "cuMemcpyHtoDAsync 1024 stream 7", "cuMemcpyDtoHAsync 1024 stream 7" }));
        Assert.That(driver.Log.Skip(before).Select(l => l.Call), Is.EqualTo(new[] { "cuMemcpyDtoHAsync 1024 stream 7", "cuStreamSynchronize stream 7" }),
            "the host reads the array only after waiting for the stream");
        Assert.That(driver.Calls("cuStreamSynchronize"), Has.Count.EqualTo(2));
    }

    [Test]
    public void PageableArraysKeepTheSynchronousCopies()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        var host = Enumerable.Range(0, 64).Select(i => (double)i).ToArray();
        driver.MemAlloc(512, out ulong device);
        HostCopies.ToDevice(driver, pinned, Stream, host, device, 512);
        var back = new double[64];
        HostCopies.ToHost(driver, pinned, Stream, device, back, 512);
        Assert.That(back, Is.EqualTo(host));
        Assert.That(driver.Calls("cuMemcpy"), Is.EqualTo(new[] { "cuMemcpyHtoD 512", "cuMemcpyDtoH 512" }));
        Assert.That(driver.Calls("cuStreamSynchronize"), Is.Empty);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LockAndAbandon(PinnedHostMemory pinned) => pinned.Lock(GC.AllocateArray<long>(512, pinned: true));

    [Test]
    public void ALockNobodyDisposedIsUndoneByTheNextCallNotOnTheFinalizerThread()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        for (int i = 0; i < 8; i++) LockAndAbandon(pinned);
        Assert.That(pinned.Count, Is.EqualTo(8));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(driver.Calls("cuMemHostUnregister"), Is.Empty, "no driver call from the finalizer");
        Assert.That(pinned.Count, Is.EqualTo(8), "the registrations hold their arrays until drained");
        pinned.Drain();
        Assert.That(pinned.Count, Is.Zero);
        Assert.That(driver.Calls("cuMemHostUnregister"), Has.Count.EqualTo(8));
        Assert.That(driver.Log.Select(l => l.Thread).Distinct(), Is.EqualTo(new[] { Environment.CurrentManagedThreadId }));
    }

    [Test]
    public void WithoutAGpuAPinnedTensorIsPinnedButNotPageLocked()
    {
        if (DeviceRegistry.CudaDeviceCount > 0) Assert.Ignore("a GPU is present: pinned tensors are page-locked here");
        using var t = Tensor.ZerosPinned([4, 4]);
        var storage = (CpuStorage)t.Storage;
        Assert.That(storage.IsPinned, Is.True);
        Assert.That(storage.IsPageLocked, Is.False);
    }

    [Test, Category("Cuda")]
    public void OnTheDeviceAPinnedTensorIsPageLockedAndRoundTrips()
    {
        if (DeviceRegistry.CudaDeviceCount == 0) Assert.Ignore($"No CUDA device ({DeviceRegistry.CudaUnavailableReason}).");
        using var t = Tensor.ZerosPinned([1000]);
        Assert.That(((CpuStorage)t.Storage).IsPageLocked, Is.True);
        ((CpuStorage)t.Storage).Span<float>().Fill(3f);
        using var d = t.To(Device.Cuda(0));
        using var back = d.To(Device.Cpu);
        Assert.That(((CpuStorage)back.Storage).Span<float>().ToArray(), Is.All.EqualTo(3f));
    }
}
