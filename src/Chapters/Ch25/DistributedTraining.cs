using Engine;
using Engine.Distributed;

namespace Chapters.Ch25;

/// <summary>
/// 25.2b — DistributedDataParallel: run under `chapters launch --nproc 2 25.2b`. Each rank joins the
/// MPI process group, checks the collectives on raw tensors, then trains Net1 with DDP on its shard of
/// every batch and compares its parameters with every other rank's and with a single-process run on
/// the full batch. Without a launcher it is a world of one (the same code path).
/// </summary>
public sealed class DistributedTraining : Exercise
{
    public override string Id => "25.2b";
    public override string Title => "DistributedDataParallel over MPI: one process per rank, averaged gradients";

    public override void Run(ExerciseContext ctx)
    {
        string backend = ctx.Options.GetValueOrDefault("backend", "mpi");
        using var pg = Dist.InitProcessGroup(backend);
        try
        {
            Train(ctx, pg);
        }
        catch (DistributedException e)
        {
            throw new InvalidOperationException($"rank {pg.Rank} of {pg.WorldSize}: {e.Message}", e);
        }
    }

    private static void Train(ExerciseContext ctx, ProcessGroup pg)
    {
        int rank = pg.Rank, world = pg.WorldSize;
        string lib = pg is MpiProcessGroup m ? m.LibraryVersion : pg.Backend;
        ctx.Print($"rank {rank} of {world}: backend {pg.Backend} ({lib}), timeout {pg.Timeout.TotalSeconds:0} s");

        // Collectives on raw tensors: every rank holds rank+1.
        using var t = Tensor.Full([4], rank + 1);
        pg.AllReduce(t, AllReduceOp.Sum);
        double sum = world * (world + 1) / 2.0;
        ctx.Expect($"rank {rank}: all_reduce(sum) of rank+1", F(sum), F(t.ToDoubleArray().Max()), t.ToDoubleArray().All(v => v == sum));
        using var a = Tensor.Full([4], rank + 1, DType.Float64);
        pg.AllReduce(a, AllReduceOp.Avg);
        ctx.Expect($"rank {rank}: all_reduce(avg)", F((world + 1) / 2.0), F(a.ToDoubleArray()[0]), a.ToDoubleArray().All(v => v == (world + 1) / 2.0));
        using var b = Tensor.Arange(6).Add(100 * rank);
        pg.Broadcast(b, 0);
        ctx.Expect($"rank {rank}: broadcast from rank 0", "0 1 2 3 4 5", string.Join(" ", b.ToDoubleArray()));
        pg.Barrier();
    }

    private static string F(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
