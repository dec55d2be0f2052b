using System.Diagnostics;

namespace Engine;

/// <summary>
/// The CPU backend's threads for data-parallel loops: one resident worker per extra core. A loop of
/// <c>count</c> tasks is shared by the calling thread and the workers, each taking the next task
/// number as it comes free. Between loops a worker spins for <see cref="SpinMicroseconds"/> before it
/// sleeps, polling for the next loop every few dozen nanoseconds (one <c>Thread.SpinWait</c> unit), so the
/// back-to-back small ops of a training step (a layer's GEMMs) start on both cores within a fraction of a
/// microsecond, where <c>Parallel.For</c> costs several microseconds per loop.
/// <para>
/// One loop runs at a time: a loop started while another is running (a nested loop, or a second
/// thread such as DataParallel's replicas) runs its tasks on its own thread. Callers split the work
/// into tasks the same way whichever thread runs them, so results do not depend on the threads.
/// </para>
/// </summary>
internal static class WorkerPool
{
    /// <summary>How long an idle worker keeps polling for the next loop before it blocks.</summary>
    internal const int SpinMicroseconds = 100;

    /// <summary>Threads a loop can use: the caller plus the workers.</summary>
    internal static int Threads { get; } = Environment.ProcessorCount;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static readonly object Gate = new();
    private static Job? _job;        // the loop being run, set under Gate; null between loops
    private static int _generation;  // bumped under Gate for every new loop
    private static int _sleepers;    // workers blocked in Monitor.Wait
    private static int _busy;        // 1 while a loop owns the workers
    private static bool _started;
    private static long _handOffs;

    /// <summary>Loops handed to the workers so far (loops run inline on the caller are not counted): the step profile's hand-offs.</summary>
    internal static long HandOffs => Interlocked.Read(ref _handOffs);

    /// <summary>One loop: body(i) for i in [0, count), tasks handed out by an atomic counter.</summary>
    private sealed class Job(Action<int> body, int count, int maxThreads)
    {
        private int _joined = 1; // the caller
        private int _next;
        private int _done;
        private Exception? _error;

        /// <summary>A worker helps unless the loop already has its <c>maxThreads</c> threads.</summary>
        public void Join()
        {
            if (Interlocked.Increment(ref _joined) <= maxThreads) Work();
        }

        /// <summary>Runs tasks until none is left.</summary>
        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < count)
            {
                try { body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                Interlocked.Increment(ref _done);
            }
        }

        /// <summary>Waits until every task has finished, then rethrows the first task's exception.</summary>
        public void Wait()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < count) spin.SpinOnce(sleep1Threshold: -1);
            if (_error is not null) throw new AggregateException(_error);
        }
    }

    /// <summary>
    /// Runs body(i) for every i in [0, <paramref name="count"/>) on up to <paramref name="maxThreads"/>
    /// threads (the caller included; at most <see cref="Threads"/>) and returns when all are done.
    /// A task's exception comes back as an AggregateException (as from <c>Parallel.For</c>); a loop run
    /// inline on the caller's thread throws it as it is.
    /// </summary>
    internal static void For(int count, Action<int> body, int maxThreads = int.MaxValue)
    {
        if (count <= 0) return;
        if (count == 1 || Threads == 1 || maxThreads <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            Interlocked.Increment(ref _handOffs);
            var job = new Job(body, count, maxThreads);
            lock (Gate)
            {
                if (!_started) Start();
                _job = job;
                _generation++;
                if (_sleepers > 0) Monitor.PulseAll(Gate);
            }
            job.Work();
            job.Wait();
        }
        finally
        {
            Volatile.Write(ref _job, null); // a late worker finds nothing to do; the body's captures can be collected
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Starts the workers (once, under <see cref="Gate"/>).</summary>
    private static void Start()
    {
        for (int w = 1; w < Threads; w++)
            new Thread(Loop) { IsBackground = true, Name = $"engine-cpu-{w}" }.Start();
        _started = true;
    }

    /// <summary>A worker: wait for a new generation (spin, then sleep), help with its job, repeat.</summary>
    private static void Loop()
    {
        int seen = 0;
        while (true)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _generation) == seen && Stopwatch.GetTimestamp() < until) Thread.SpinWait(1);
            Job? job;
            lock (Gate)
            {
                while (_generation == seen)
                {
                    _sleepers++;
                    Monitor.Wait(Gate);
                    _sleepers--;
                }
                seen = _generation;
                job = _job;
            }
            job?.Join();
        }
    }
}
