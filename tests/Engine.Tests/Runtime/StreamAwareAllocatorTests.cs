using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// The caching allocator with more than one stream, over <see cref="FakeDriver"/> (whose events
/// complete only when the test says the device caught up): a block freed on one stream goes to another
/// stream only after an event recorded on the first has completed; the same stream reuses it at once.
/// </summary>
[TestFixture]
public sealed class StreamAwareAllocatorTests
{
    private static readonly IntPtr StreamA = 1, StreamB = 2;
    private const long Bytes = 4096;

    [Test]
    public void TheSameStreamReusesAFreedBlockAtOnceWithoutAnEvent()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        ulong p = allocator.Allocate(Bytes, StreamA);
        allocator.Free(p, Bytes, StreamA);
        Assert.That(allocator.Allocate(Bytes, StreamA), Is.EqualTo(p));
        Assert.That(driver.Calls("cuEvent"), Is.Empty);
        Assert.That(allocator.DriverAllocations, Is.EqualTo(1));
    }

    [Test]
    public void AnotherStreamWaitsForTheEventOfTheStreamThatFreedTheBlock()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        ulong p = allocator.Allocate(Bytes, StreamA);
        allocator.Free(p, Bytes, StreamA); // a kernel on A may still be reading p

        ulong q = allocator.Allocate(Bytes, StreamB);
        Assert.That(q, Is.Not.EqualTo(p), "stream B took a block still in flight on stream A");
        Assert.That(driver.Calls("cuEventRecord"), Is.EqualTo(new[] { $"cuEventRecord stream {StreamA}" }));
        Assert.That(allocator.DriverAllocations, Is.EqualTo(2));

        driver.CompleteEvents(); // stream A has caught up
        allocator.Free(q, Bytes, StreamB);
        ulong r = allocator.Allocate(Bytes, StreamB);
        Assert.That(r, Is.EqualTo(q), "stream B prefers its own block");
        ulong s = allocator.Allocate(Bytes, StreamB);
        Assert.That(s, Is.EqualTo(p), "stream A's block, its event complete, goes to stream B");
        Assert.That(allocator.DriverAllocations, Is.EqualTo(2));
        Assert.That(driver.Calls("cuEventRecord"), Has.Count.EqualTo(1), "one event per hand-over, recorded once");
    }

    [Test]
    public void EventsAreRecycledAndDestroyedByEmptyCache()
    {
        using var driver = new FakeDriver { EventsCompleteAtOnce = true };
        var allocator = new CachingAllocator(driver);
        for (int i = 0; i < 5; i++)
        {
            ulong p = allocator.Allocate(Bytes, i % 2 == 0 ? StreamA : StreamB);
            allocator.Free(p, Bytes, i % 2 == 0 ? StreamA : StreamB);
        }
        Assert.That(allocator.DriverAllocations, Is.EqualTo(1), "with the device caught up, one block serves both streams");
        Assert.That(driver.Calls("cuEventCreate"), Has.Count.EqualTo(1), "events are reused");
        allocator.EmptyCache();
        Assert.That(driver.Calls("cuEventDestroy"), Has.Count.EqualTo(1));
        Assert.That(driver.InUse, Is.Zero);
    }

    [Test]
    public void ABlockTheGcReturnsKeepsItsStream()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        ulong p = allocator.Allocate(Bytes, StreamA);
        allocator.FreeDeferred(p, Bytes, StreamA);
        Assert.That(allocator.Allocate(Bytes, StreamB), Is.Not.EqualTo(p));
        Assert.That(allocator.ReclaimedByGc, Is.EqualTo(1));
        driver.CompleteEvents();
        Assert.That(allocator.Allocate(Bytes, StreamB), Is.EqualTo(p), "once stream A's event completed");
    }
}
