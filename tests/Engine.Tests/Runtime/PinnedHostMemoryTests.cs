using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// Page-locked host memory and the copies that use it, over <see cref="FakeDriver"/>: the whole pages of
/// a pinned array are registered with the driver (never a page shared with a neighbouring array), copies
/// move the locked part by async DMA on the backend's stream and the rest synchronously, and the call
/// waits on that stream before the host touches the array; pageable arrays keep the synchronous copies;
/// a lock nobody disposed is undone later, never on the finalizer thread.
/// </summary>
[TestFixture]
public sealed class PinnedHostMemoryTests
{
    private static readonly IntPtr Stream = 7;
    private static readonly long Page = Environment.SystemPageSize;

    [Test]
    public void TheWholePagesOfAPinnedArrayAreRegisteredUntilItsLockIsDisposed()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        var a = GC.AllocateArray<float>(65536, pinned: true);
        var handle = pinned.Lock(a)!;
        Assert.That(pinned.IsLocked(a), Is.True);
        Assert.That(pinned.IsLocked(new float[65536]), Is.False);
        var (start, bytes) = driver.Registered.Single();
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(a, 0);
        Assert.That(start % Page, Is.Zero);
        Assert.That(bytes % Page, Is.Zero);
        Assert.That((long)start, Is.GreaterThanOrEqualTo(address));
        Assert.That(start + bytes, Is.LessThanOrEqualTo(address + 65536 * 4));
        Assert.That(bytes, Is.GreaterThanOrEqualTo(65536 * 4 - 2 * Page));
        Assert.Throws<InvalidOperationException>(() => pinned.Lock(a));
        handle.Dispose();
        handle.Dispose();
        Assert.That(pinned.IsLocked(a), Is.False);
        Assert.That(driver.Registered, Is.Empty);
        Assert.That(driver.Calls("cuMemHost"), Is.EqualTo(new[] { $"cuMemHostRegister {bytes}", "cuMemHostUnregister" }));
    }

    [Test]
    public void NeighbouringPinnedArraysNeverShareARegisteredPage()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        var rng = new Random(3);
        var arrays = Enumerable.Range(0, 40).Select(_ => GC.AllocateArray<float>(rng.Next(1, 30_000), pinned: true)).ToList();
        var locks = arrays.Select(pinned.Lock).ToList();
        var pages = driver.Registered.SelectMany(r => Enumerable.Range(0, (int)(r.Bytes / Page)).Select(i => r.Start + i * Page)).ToList();
        Assert.That(driver.Registered.All(r => r.Start % Page == 0 && r.Bytes % Page == 0), Is.True, "whole pages only");
        Assert.That(pages, Is.Unique, "the driver refuses to lock a page twice");
        Assert.That(locks.Count(l => l is null), Is.GreaterThan(0), "arrays holding no whole page are left unlocked");
        Assert.That(locks.Count(l => l is not null), Is.EqualTo(driver.Registered.Count));
        foreach (var l in locks) l?.Dispose();
        Assert.That(driver.Registered, Is.Empty);
    }

    [Test]
    public void CopiesMoveTheLockedPagesAsyncOnTheStreamAndWaitBeforeReturning()
    {
        using var driver = new FakeDriver();
        var pinned = new PinnedHostMemory(() => driver);
        const int n = 100_000;
        const long bytes = n * sizeof(float);
        var host = GC.AllocateArray<float>(n, pinned: true);
        for (int i = 0; i < n; i++) host[i] = i * 0.5f;
        using var _ = pinned.Lock(host);
        driver.MemAlloc(bytes, out ulong device);

        int mark = driver.Log.Count;
        HostCopies.ToDevice(driver, pinned, Stream, host, device, bytes);
        var toDevice = driver.Log.Skip(mark).Select(l => l.Call).ToList();
        var back = GC.AllocateArray<float>(n, pinned: true);
        using var __ = pinned.Lock(back);
        mark = driver.Log.Count;
        HostCopies.ToHost(driver, pinned, Stream, device, back, bytes);
        var toHost = driver.Log.Skip(mark).Select(l => l.Call).ToList();

        Assert.That(back, Is.EqualTo(host));
        foreach (var (calls, async) in new[] { (toDevice, "cuMemcpyHtoDAsync"), (toHost, "cuMemcpyDtoHAsync") })
        {
            Assert.That(calls.Count(c => c.StartsWith(async + " ", StringComparison.Ordinal) && c.EndsWith("stream 7", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("; ", calls));
            Assert.That(calls[^1], Is.EqualTo("cuStreamSynchronize stream 7"), "the host touches the array only after waiting for the stream");
            long moved = calls.Where(c => c.StartsWith("cuMemcpy", StringComparison.Ordinal)).Sum(c => long.Parse(c.Split(' ')[1]));
            long dma = calls.Where(c => c.StartsWith(async, StringComparison.Ordinal)).Sum(c => long.Parse(c.Split(' ')[1]));
            Assert.That(moved, Is.EqualTo(bytes));
            Assert.That(dma, Is.GreaterThanOrEqualTo(bytes - 2 * Page), "all but the partial pages at the ends go by DMA");
        }
    }

    [Test]
    public void WhenTheDriverRefusesToPageLockTheArrayStaysPageable()
    {
        using var driver = new FakeDriver { RefuseRegistration = true };
        var pinned = new PinnedHostMemory(() => driver);
        var a = GC.AllocateArray<float>(65536, pinned: true);
        Assert.That(pinned.Lock(a), Is.Null);
        Assert.That(pinned.IsLocked(a), Is.False);
        Assert.That(pinned.LastFailure, Does.Contain("cuMemHostRegister"));
        driver.MemAlloc(65536 * 4, out ulong device);
        HostCopies.ToDevice(driver, pinned, Stream, a, device, 65536 * 4);
        Assert.That(driver.Calls("cuMemcpy"), Is.EqualTo(new[] { "cuMemcpyHtoD 262144" }));
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
    private static void LockAndAbandon(PinnedHostMemory pinned) => pinned.Lock(GC.AllocateArray<long>(8192, pinned: true));

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
        using var t = Tensor.ZerosPinned([64, 64]);
        var storage = (CpuStorage)t.Storage;
        Assert.That(storage.IsPinned, Is.True);
        Assert.That(storage.IsPageLocked, Is.False);
    }

    [Test]
    public void ADisposedPinnedTensorsArrayAndPageLockServeTheNextOfItsSize()
    {
        var first = Tensor.ZerosPinned([3, 1000]);
        var storage = (CpuStorage)first.Storage;
        var data = storage.Data;
        bool locked = storage.IsPageLocked;
        storage.Span<float>().Fill(7f);
        first.Dispose();
        using var second = Tensor.ZerosPinned([3, 1000]);
        var again = (CpuStorage)second.Storage;
        Assert.That(again.Data, Is.SameAs(data), "the DataLoader's next pinned batch reuses the array (and its registration)");
        Assert.That(again.IsPageLocked, Is.EqualTo(locked));
        Assert.That(again.Span<float>().ToArray(), Is.All.Zero, "a reused pinned array starts zero-filled");
        using var other = Tensor.ZerosPinned([3, 1001]);
        Assert.That(((CpuStorage)other.Storage).Data, Is.Not.SameAs(data));
    }

    [Test, Category("Cuda")]
    public void OnTheDeviceAPinnedTensorIsPageLockedAndRoundTrips()
    {
        if (DeviceRegistry.CudaDeviceCount == 0) Assert.Ignore($"No CUDA device ({DeviceRegistry.CudaUnavailableReason}).");
        using var t = Tensor.ZerosPinned([100_000]);
        Assert.That(((CpuStorage)t.Storage).IsPageLocked, Is.True);
        ((CpuStorage)t.Storage).Span<float>().Fill(3f);
        using var d = t.To(Device.Cuda(0));
        using var back = d.To(Device.Cpu);
        Assert.That(((CpuStorage)back.Storage).Span<float>().ToArray(), Is.All.EqualTo(3f));
    }
}
