namespace Engine;

// How the implicit conv forward cuts its work into tasks for the worker threads: (image, run of strips, run of
// filters), enough of them (three per thread) that a thread coming free finds one. The cut depends on the shapes and
// the thread count only, and never changes a bit: every output is one FMA chain over k in fixed K slices.
public sealed partial class CpuBackend
{
    /// <summary>
    /// The task cut of an implicit conv: <paramref name="Images"/> × <paramref name="Chunks"/> runs of the
    /// <paramref name="Strips"/> B strips × <paramref name="FParts"/> runs of the <paramref name="FStrips"/> A strips
    /// (<paramref name="Mr"/> filters each, <paramref name="F"/> filters in all).
    /// </summary>
    private readonly record struct ConvTasks(int Images, int Strips, int Chunks, int FStrips, int FParts, int Mr, int F)
    {
        /// <summary>
        /// Runs of <paramref name="chunkStrips"/> strips per image; with too few (image, run) tasks for three per thread
        /// (batch 1, small images), shorter runs first, then the filters split as well.
        /// </summary>
        public static ConvTasks Plan(int images, int strips, int chunkStrips, int f, int mr, int threads)
        {
            int fStrips = (f + mr - 1) / mr, chunks = (strips + chunkStrips - 1) / chunkStrips;
            if (images * chunks < 3 * threads) chunks = Math.Min(strips, (3 * threads + images - 1) / images);
            int fParts = images * chunks >= 3 * threads ? 1 : Math.Min(fStrips, (3 * threads + images * chunks - 1) / (images * chunks));
            return new ConvTasks(images, strips, chunks, fStrips, fParts, mr, f);
        }

        /// <summary>Number of tasks.</summary>
        public int Count => Images * Chunks * FParts;

        /// <summary>Task t: image n, run <paramref name="chunk"/> of strips [q0, q1), filters [f0, f1) (f0 ≥ f1: nothing to do).</summary>
        public void Of(int t, out int n, out int chunk, out int q0, out int q1, out int f0, out int f1)
        {
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
            q0 = Strips * chunk / Chunks;
            q1 = Strips * (chunk + 1) / Chunks;
        }
    }

    /// <summary>Threads a conv may use: <paramref name="maxThreads"/> clamped to [1, the pool's threads].</summary>
    private static int ConvThreads(int maxThreads) => Math.Clamp(Math.Min(maxThreads, WorkerPool.Threads), 1, WorkerPool.Threads);
}
