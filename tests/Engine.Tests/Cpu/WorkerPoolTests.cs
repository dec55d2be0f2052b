using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>The CPU backend's resident threads (<see cref="WorkerPool"/>).</summary>
public class WorkerPoolTests
{
    [Test]
    public void EveryTaskRunsExactlyOnce()
    {
        foreach (int count in new[] { 0, 1, 2, 3, 7, 1000 })
            for (int round = 0; round < 50; round++)
            {
                var hits = new int[count];
                WorkerPool.For(count, i => Interlocked.Increment(ref hits[i]));
                Assert.That(hits, Is.All.EqualTo(1), $"count {count}, round {round}");
            }
    }

    [Test]
    public void MaxThreadsOneRunsOnTheCaller()
    {
        int caller = Environment.CurrentManagedThreadId;
        var seen = new int[10];
        WorkerPool.For(10, i => seen[i] = Environment.CurrentManagedThreadId, maxThreads: 1);
        Assert.That(seen, Is.All.EqualTo(caller));
    }

    [Test]
    public void NestedAndConcurrentLoopsComplete()
    {
        // A loop inside a loop, and loops from several threads at once, find the workers busy and run inline.
        long total = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int r = 0; r < 20; r++)
                WorkerPool.For(4, i => WorkerPool.For(5, j => Interlocked.Add(ref total, 1)));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(total, Is.EqualTo(4 * 20 * 4 * 5));
    }

    [Test]
    public void ATaskExceptionReachesTheCallerAndThePoolStaysUsable()
    {
        // Shared out, it comes wrapped in an AggregateException; run inline (one core), as it is.
        var e = Assert.Catch(() => WorkerPool.For(8, i => { if (i == 5) throw new InvalidOperationException("task 5"); }));
        var inner = e is AggregateException a ? a.InnerException : e;
        Assert.That(inner, Is.TypeOf<InvalidOperationException>().With.Message.EqualTo("task 5"));
        int sum = 0;
        WorkerPool.For(100, i => Interlocked.Add(ref sum, i));
        Assert.That(sum, Is.EqualTo(4950));
    }
}
