namespace Engine;

// How the implicit conv forward cuts its work into tasks for the worker threads: (image, run of strips, run of
// filters), enough of them (three per thread) that a thread coming free finds one. One image (a batch run on as one,
// or batch 1) keeps its last strip apart, cut by filters into one task per thread, taken last: the runs before it
// split evenly, and no thread waits a whole strip for another (13 strips of 7×7 at batch 8: 6 + ½ each, not 6 and 7).
// The cut depends on the shapes and the thread count only, and never changes a bit: every output is one FMA chain
// over k in fixed K slices.
public sealed partial class CpuBackend
{
    /// <summary>
    /// The task cut of an implicit conv: <paramref name="Images"/> × <paramref name="Chunks"/> runs of the first
    /// <paramref name="Strips"/> − (1 when <paramref name="Tail"/> &gt; 0) B strips × <paramref name="FParts"/> runs of the
    /// <paramref name="FStrips"/> A strips (<paramref name="Mr"/> filters each, <paramref name="F"/> filters in all), then
    /// the last strip in <paramref name="Tail"/> runs of A strips.
    /// </summary>
    private readonly record struct ConvTasks(int Images, int Strips, int Chunks, int FStrips, int FParts, int Mr, int F, int Tail)
    {
        /// <summary>
        /// Runs of <paramref name="chunkStrips"/> strips per image; with too few (image, run) tasks for three per thread
        /// (batch 1, small images), shorter runs first, then the filters split as well.
        /// </summary>
        public static ConvTasks Plan(int images, int strips, int chunkStrips, int f, int mr, int threads)
        {
            int fStrips = (f + mr - 1) / mr;
            if (images == 1 && threads > 1 && strips > threads && fStrips >= threads)
            {
                var split = Even(1, strips - 1, chunkStrips, fStrips, mr, f, threads);
                if (split.FParts == 1 && split.Chunks >= threads) return split with { Strips = strips, Tail = threads };
            }
            return Even(images, strips, chunkStrips, fStrips, mr, f, threads);
        }

        /// <summary>The cut without a tail: runs of about <paramref name="chunkStrips"/>, shorter ones or split filters when there are too few.</summary>
        private static ConvTasks Even(int images, int strips, int chunkStrips, int fStrips, int mr, int f, int threads)
        {
            int chunks = (strips + chunkStrips - 1) / chunkStrips;
            if (images * chunks < 3 * threads) chunks = Math.Min(strips, (3 * threads + images - 1) / images);
            int fParts = images * chunks >= 3 * threads ? 1 : Math.Min(fStrips, (3 * threads + images * chunks - 1) / (images * chunks));
            return new ConvTasks(images, strips, chunks, fStrips, fParts, mr, f, 0);
        }

        /// <summary>Strips cut into runs (all but the last when there is a tail).</summary>
        private int Runs => Tail > 0 ? Strips - 1 : Strips;

        /// <summary>Number of tasks.</summary>
        public int Count => Images * Chunks * FParts + Tail;

        /// <summary>Task t: image n, run <paramref name="chunk"/> of strips [q0, q1), filters [f0, f1) (f0 ≥ f1: nothing to do).</summary>
        public void Of(int t, out int n, out int chunk, out int q0, out int q1, out int f0, out int f1)
        {
            int regular = Images * Chunks * FParts;
            if (t >= regular)
            {
                // The last strip, filters cut in Tail runs.
                (n, chunk, q0, q1) = (0, 0, Strips - 1, Strips);
                f0 = FStrips * (t - regular) / Tail * Mr;
                f1 = Math.Min(F, FStrips * (t - regular + 1) / Tail * Mr);
                return;
            }
            n = t / (Chunks * FParts);
            chunk = t / FParts % Chunks;
            int part = t % FParts;
            StripRun(chunk, out q0, out q1);
            f0 = FStrips * part / FParts * Mr;
            f1 = Math.Min(F, FStrips * (part + 1) / FParts * Mr);
        }

        /// <summary>Strips [q0, q1) of run <paramref name="chunk"/> (the runs of one image cover its strips once).</summary>
        public void StripRun(int chunk, out int q0, out int q1)
        {
            q0 = Runs * chunk / Chunks;
            q1 = Runs * (chunk + 1) / Chunks;
        }
    }

    /// <summary>Threads a conv may use: <paramref name="maxThreads"/> clamped to [1, the pool's threads].</summary>
    private static int ConvThreads(int maxThreads) => Math.Clamp(Math.Min(maxThreads, WorkerPool.Threads), 1, WorkerPool.Threads);
}
