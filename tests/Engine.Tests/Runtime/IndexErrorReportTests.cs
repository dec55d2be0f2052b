using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Tests.Runtime;

/// <summary>
/// The bad-index report of a CUDA backend shared by replica threads (DataParallel on one device), over
/// <see cref="FakeDriver"/>: a "kernel" is a write into the words the report hands the launching thread.
/// A thread sees its own bad label and never another thread's.
/// </summary>
[TestFixture]
public sealed class IndexErrorReportTests
{
    // What a range-checking kernel does on a bad entry: word 0 = row + 1, word 1 = the value.
    private static unsafe void KernelFlags(IndexErrorReport report, long row, long value)
    {
        var words = (long*)report.DevicePointer;
        words[0] = row + 1;
        words[1] = value;
    }

    [Test]
    public void AReplicaDoesNotSeeAnotherReplicasBadLabel()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        using var report = new IndexErrorReport(driver, allocator, (IntPtr)1);
        using var launched = new Barrier(2);
        using var checkedB = new Barrier(2);
        Exception? a = null, b = null;
        var replicaA = new Thread(() =>
        {
            KernelFlags(report, 3, 99);          // replica A's labels hold a 99
            launched.SignalAndWait();
            checkedB.SignalAndWait();            // B checks in between
            a = Catch(() => report.Check("CrossEntropy", 10));
        });
        var replicaB = new Thread(() =>
        {
            _ = report.DevicePointer;             // replica B launches with good labels
            launched.SignalAndWait();
            b = Catch(() => report.Check("CrossEntropy", 10));
            checkedB.SignalAndWait();
        });
        replicaA.Start();
        replicaB.Start();
        replicaA.Join();
        replicaB.Join();
        Assert.That(b, Is.Null, "replica B read replica A's report");
        Assert.That(a, Is.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(a!.Message, Does.Contain("CrossEntropy: value 99 at row 3 is outside 0..9"));
    }

    [Test]
    public void ManyReplicasAtOnceEachGetExactlyTheirOwnReports()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        using var report = new IndexErrorReport(driver, allocator, (IntPtr)1);
        const int replicas = 4, steps = 300;
        var wrong = new int[replicas];
        using var start = new Barrier(replicas);
        var threads = Enumerable.Range(0, replicas).Select(r => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < steps; i++)
            {
                bool bad = (i + r) % 3 == 0;
                if (bad) KernelFlags(report, i, 1000 + r);
                else _ = report.DevicePointer;
                Thread.Yield();
                var e = Catch(() => report.Check("OneHot", 10));
                bool ok = bad ? e?.Message.Contains($"value {1000 + r} at row {i} ") == true : e is null;
                if (!ok) wrong[r]++;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(wrong, Is.All.Zero);
        report.Dispose();
        Assert.That(allocator.Allocated, Is.Zero, "every thread's words went back to the allocator");
    }

    [Test]
    public void NewThreadsEveryStepReuseThePairsOfFinishedOnes()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        using var report = new IndexErrorReport(driver, allocator, (IntPtr)1);
        for (int step = 0; step < 100; step++) // DataParallel starts two replica threads per forward
        {
            var replicas = Enumerable.Range(0, 2).Select(r => new Thread(() =>
            {
                if (r == 1 && step % 7 == 0) KernelFlags(report, 0, 5);
                else _ = report.DevicePointer;
                _ = Catch(() => report.Check("CrossEntropy", 3));
            })).ToList();
            replicas.ForEach(t => t.Start());
            replicas.ForEach(t => t.Join());
        }
        Assert.That(allocator.Allocated, Is.LessThanOrEqualTo(2 * CachingAllocator.RoundUp(16)), "one pair per replica at a time, not per thread ever started");
    }

    [Test]
    public void ACheckedReportIsClearedForTheNextLaunch()
    {
        using var driver = new FakeDriver();
        var allocator = new CachingAllocator(driver);
        using var report = new IndexErrorReport(driver, allocator, (IntPtr)1);
        KernelFlags(report, 0, -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => report.Check("IndexSelect", 5));
        Assert.DoesNotThrow(() => report.Check("IndexSelect", 5));
        Assert.That(driver.Calls("cuStreamSynchronize"), Has.Count.EqualTo(2), "each check waits for the launches before reading");
    }

    private static Exception? Catch(Action a)
    {
        try
        {
            a();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
