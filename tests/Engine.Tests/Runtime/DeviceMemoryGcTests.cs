using System.Runtime.CompilerServices;
using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// Device memory and the GC, on the caching allocator over <see cref="FakeDriver"/> (runs without a
/// GPU): CUDA storages that nobody disposes come back through their finalizers and the deferred
/// queue, never by a driver call on the finalizer thread; disposing stays the direct path.
/// The same loop on a real device is <see cref="GcLoopOnTheDevice"/>.
/// </summary>
[TestFixture]
public sealed class DeviceMemoryGcTests
{
    private const long Block = 2 << 20;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(CachingAllocator allocator, long bytes) =>
        _ = new CudaStorage(Device.Cuda(0), DType.Float32, bytes / sizeof(float), allocator, (IntPtr)1);

    [Test]
    public void AllocatingFarMoreThanTheDeviceWithoutDisposeStaysBounded()
    {
        using var driver = new FakeDriver(capacity: 64L << 20);
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 512; i++) // 1 GiB through a 64 MiB device, nothing disposed, no GC.Collect here
        {
            Abandon(allocator, Block);
            Assert.That(allocator.Allocated, Is.LessThanOrEqualTo(driver.Capacity), $"iteration {i}");
        }
        Assert.That(driver.InUse, Is.LessThanOrEqualTo(driver.Capacity));
        Assert.That(allocator.DriverAllocations, Is.LessThanOrEqualTo(32));
        Assert.That(allocator.ReclaimedByGc, Is.GreaterThan(0), "the out-of-memory path ran the finalizers and reused their blocks");
        Assert.That(driver.Calls("cuMemAlloc").Count(c => c.EndsWith("out of memory")), Is.GreaterThan(0));
    }

    [Test]
    public void WithTheGcRunningAllocatedStaysAtAFewBlocks()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 200; i++)
        {
            Abandon(allocator, Block);
            if (i % 10 == 9)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Assert.That(allocator.Allocated, Is.LessThanOrEqualTo(11 * Block), $"iteration {i}");
        }
        Assert.That(allocator.DriverAllocations, Is.LessThanOrEqualTo(11));
        Assert.That(allocator.CacheHits, Is.GreaterThanOrEqualTo(189));
    }

    [Test]
    public void FinalizersQueueAndTheNextAllocationOrSynchronizeDrains()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 4; i++) Abandon(allocator, Block);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(allocator.PendingFrees, Is.EqualTo(4));
        Assert.That(allocator.Allocated, Is.EqualTo(4 * Block), "queued blocks still count until drained");
        allocator.Drain();
        Assert.That(allocator.PendingFrees, Is.Zero);
        Assert.That(allocator.Allocated, Is.Zero);
        Assert.That(allocator.ReclaimedByGc, Is.EqualTo(4));
        Assert.That(allocator.Reserved, Is.EqualTo(4 * Block), "the blocks are cached, not freed");
        allocator.EmptyCache();
        Assert.That(allocator.Reserved, Is.Zero);
        Assert.That(driver.InUse, Is.Zero);
    }

    [Test]
    public void NoDriverCallRunsOnTheFinalizerThread()
    {
        using var driver = new FakeDriver(capacity: 16L << 20);
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 64; i++) Abandon(allocator, Block);
        int finalizerThread = FinalizerThread();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        allocator.EmptyCache();
        Assert.That(driver.Log.Where(l => l.Thread == finalizerThread).Select(l => l.Call), Is.Empty);
        Assert.That(driver.Log.Select(l => l.Thread).Distinct(), Is.EqualTo(new[] { Environment.CurrentManagedThreadId }));
    }

    [Test]
    public void DisposeReturnsTheBlockAtOnceAndSkipsTheFinalizer()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 10; i++)
        {
            var s = new CudaStorage(Device.Cuda(0), DType.Float32, 1000, allocator, (IntPtr)1);
            s.Release();
            Assert.That(s.IsFreed, Is.True);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(allocator.PendingFrees, Is.Zero);
        Assert.That(allocator.Allocated, Is.Zero);
        Assert.That(allocator.DriverAllocations, Is.EqualTo(1));
        Assert.That(allocator.ReclaimedByGc, Is.Zero);
    }

    [Test]
    public void LiveTensorsThatFillTheDeviceStillFailWithOutOfMemory()
    {
        using var driver = new FakeDriver(capacity: 8L << 20);
        var allocator = new CachingAllocator(driver);
        var live = Enumerable.Range(0, 4).Select(_ => allocator.Allocate(Block)).ToList();
        var e = Assert.Throws<CudaException>(() => allocator.Allocate(Block))!;
        Assert.That(e.Message, Does.Contain("CUDA_ERROR_OUT_OF_MEMORY").And.Contain("cuMemAlloc(2097152 bytes)"));
        foreach (var p in live) allocator.Free(p, Block);
        Assert.That(allocator.Allocated, Is.Zero);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonTensorAndView(CachingAllocator allocator)
    {
        var storage = new CudaStorage(Device.Cuda(0), DType.Float32, 1024, allocator, (IntPtr)1);
        _ = new Tensor(storage, [32, 32]);
        storage.Retain();            // a second tensor on the same storage, as Reshape makes
        _ = new Tensor(storage, [1024]);
    }

    [Test]
    public void UndisposedTensorsAndTheirViewsGiveTheirStorageBackOnce()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 5; i++) AbandonTensorAndView(allocator);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        allocator.Drain();
        Assert.That(allocator.ReclaimedByGc, Is.EqualTo(5), "one block per storage, however many tensors shared it");
        Assert.That(allocator.Allocated, Is.Zero);
    }

    [Test]
    public void AScopeFreesItsTensorsAtOnceWithoutTheGc()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        using (Tensor.Scope())
        {
            for (int i = 0; i < 10; i++) _ = new Tensor(new CudaStorage(Device.Cuda(0), DType.Float32, 1024, allocator, (IntPtr)1), [1024]);
            Assert.That(allocator.Allocated, Is.EqualTo(10 * CachingAllocator.RoundUp(4096)));
        }
        Assert.That(allocator.Allocated, Is.Zero);
        Assert.That(allocator.CacheHits + allocator.DriverAllocations, Is.EqualTo(10));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(allocator.PendingFrees, Is.Zero, "disposed storages have no finalizer left to run");
        Assert.That(allocator.ReclaimedByGc, Is.Zero);
    }

    [Test, Category("Cuda")]
    public void GcLoopOnTheDevice()
    {
        if (DeviceRegistry.CudaDeviceCount == 0) Assert.Ignore($"No CUDA device ({DeviceRegistry.CudaUnavailableReason}).");
        var gpu = Device.Cuda(0);
        long total = ((CudaBackend)DeviceRegistry.Backend(gpu)).Context.GetTotalDeviceMemorySize();
        long bytes = 256L << 20, n = bytes / sizeof(float);
        long start = CudaMemory.Allocated();
        int steps = (int)Math.Min(4 * total / bytes + 8, 4096); // four times the card, never disposed
        for (int i = 0; i < steps; i++) _ = Tensor.Zeros([(int)n], DType.Float32, gpu);
        TestContext.Out.WriteLine($"{steps} × 256 MiB on a {total >> 30} GiB card: allocated {CudaMemory.Allocated() >> 20} MiB, " +
            $"reserved {CudaMemory.Reserved() >> 20} MiB");
        Assert.That(CudaMemory.Allocated() - start, Is.LessThanOrEqualTo(total));
    }

    private static int FinalizerThread()
    {
        MakeProbe();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return FinalizerProbe.Thread;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MakeProbe() => _ = new FinalizerProbe();

    private sealed class FinalizerProbe
    {
        internal static int Thread;
        ~FinalizerProbe() => Thread = Environment.CurrentManagedThreadId;
    }
}
