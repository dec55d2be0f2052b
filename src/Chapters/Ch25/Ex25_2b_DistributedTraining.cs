using Engine;
using Engine.Data;
using Engine.Distributed;
using Engine.Nn;
using Engine.Optim;
using Engine.Parallelism;

namespace Chapters.Ch25;

/// <summary>
/// 25.2b — DistributedDataParallel: run under `chapters launch --nproc 2 25.2b`. Each rank joins the
/// process group (--backend mpi, the default, or nccl), checks the collectives on raw tensors, then
/// trains Net1 with DDP on its shard of every batch and compares its parameters with every other rank's
/// and with a single-process run on the full batch. Without a launcher it is a world of one (the same
/// code path). With mpi the model lives on --device (gradients are reduced through host memory); with
/// nccl it lives on the rank's GPU and the gradients are reduced there: `chapters run 25.2b --backend
/// nccl` is the one-process NCCL run a single GPU allows.
/// </summary>
public sealed class Ex25_2b_DistributedTraining : Exercise
{
    public override string Id => "25.2b";
    public override string Title => "DistributedDataParallel over MPI or NCCL: one process per rank, averaged gradients";
    public override IReadOnlyList<string> OptionNames => ["backend", "epochs", "batch", "bucket-mb", "overlap", "die-rank", "die-step", "die-how"];

    public override void Run(ExerciseContext ctx)
    {
        string backend = ctx.Options.GetValueOrDefault("backend", "mpi");
        try
        {
            using var pg = Dist.InitProcessGroup(backend);
            Train(ctx, pg);
        }
        catch (DistributedException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    private static void Train(ExerciseContext ctx, ProcessGroup pg)
    {
        int rank = pg.Rank, world = pg.WorldSize;
        string lib = pg switch { MpiProcessGroup m => m.LibraryVersion, Engine.Kernels.NcclProcessGroup n => n.LibraryVersion + (n.HasNativeAvg ? ", ncclAvg" : ", avg = sum / world size"), _ => pg.Backend };
        // mpi reduces host memory, so the model may live anywhere; nccl works on this rank's GPU.
        var device = pg.PacksBucketsOnHost ? ctx.Device : pg.BufferDevice;
        ctx.Print($"rank {rank} of {world}: backend {pg.Backend} ({lib}), timeout {pg.Timeout.TotalSeconds:0} s, device {device}");

        // Collectives on raw tensors: every rank holds rank+1.
        using var t = Tensor.Full([4], rank + 1, device: device);
        pg.AllReduce(t, AllReduceOp.Sum);
        double sum = world * (world + 1) / 2.0;
        ctx.Expect($"rank {rank}: all_reduce(sum) of rank+1", F(sum), F(t.ToDoubleArray().Max()), t.ToDoubleArray().All(v => v == sum));
        using var a = Tensor.Full([4], rank + 1, DType.Float64, device);
        pg.AllReduce(a, AllReduceOp.Avg);
        ctx.Expect($"rank {rank}: all_reduce(avg)", F((world + 1) / 2.0), F(a.ToDoubleArray()[0]), a.ToDoubleArray().All(v => v == (world + 1) / 2.0));
        using var b = Tensor.Arange(6, device: device).Add(100 * rank);
        pg.Broadcast(b, 0);
        ctx.Expect($"rank {rank}: broadcast from rank 0", "0 1 2 3 4 5", string.Join(" ", b.ToDoubleArray()));
        pg.Barrier();

        // DistributedDataParallel: every rank starts from a different init; DDP broadcasts rank 0's.
        var data = BostonData.Load();
        int epochs = ctx.Int("epochs", ctx.Quick ? 2 : 10);
        int batch = ctx.Int("batch", 128);
        if (batch % world != 0) throw new ArgumentException($"25.2b: the batch ({batch}) must split evenly over {world} ranks.");
        int shard = batch / world;
        double bucketMb = ctx.Double("bucket-mb", 0.001);
        bool overlap = !ctx.Options.TryGetValue("overlap", out var ov) || ov != "false";
        // Failure drills for the tests: rank R exits (or hangs) before the all-reduce of step S.
        int dieRank = ctx.Int("die-rank", -1), dieStep = ctx.Int("die-step", -1);
        bool hang = ctx.Options.GetValueOrDefault("die-how", "exit") == "hang";

        var local = new Net1(new Generator(ctx.Seed + 1000UL * (ulong)rank));
        local.To(device);
        var ddp = new DistributedDataParallel(local, pg, bucketCapMb: bucketMb, overlap: overlap);
        var reference = new Net1(new Generator(ctx.Seed));
        reference.To(device);
        double initDiff = MaxRelDiff(local, reference);
        ctx.Expect($"rank {rank}: parameters after the broadcast equal rank 0's init", "0", G(initDiff), initDiff == 0);
        if (rank == 0)
        {
            ctx.Print($"{ddp}: buckets (bytes, parameters) " +
                string.Join(" | ", ddp.Buckets.Select(b => $"{b.Bytes}: {string.Join(", ", b.ParameterIndices.Select(i => local.NamedParameters().ElementAt(i).Name))}")));
            ctx.Print($"global batch {batch} = {world} × {shard} rows; Adam lr 0.01; MSE; {epochs} epochs of {data.XTrain.Dim(0) / batch} steps (drop-last)");
        }

        var opt = new Adam(ddp.Parameters(), lr: 0.01);
        var refOpt = new Adam(reference.Parameters(), lr: 0.01);
        var loss = new MSELoss();
        var loader = new DataLoader(new TensorDataset(data.XTrain, data.YTrain), batch, shuffle: true, seed: ctx.Seed, dropLast: true);
        int step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double sumLoss = 0, sumRef = 0;
            int n = 0;
            foreach (var (xb, yb) in loader)
            {
                using var scope = Tensor.Scope();
                var x = xb.To(device);
                var y = yb.To(device);
                var xs = x.Rows(rank * shard, shard);
                var ys = y.Rows(rank * shard, shard);
                opt.ZeroGrad();
                var l = loss.Forward(ddp.Forward(xs), ys);
                if (rank == dieRank && step == dieStep)
                {
                    Console.Error.WriteLine($"rank {rank}: {(hang ? "hanging" : "exiting")} on purpose before the all-reduce of step {step} (--die-rank {dieRank} --die-step {dieStep})");
                    Console.Error.Flush();
                    if (hang) Thread.Sleep(Timeout.Infinite);
                    Environment.Exit(3);
                }
                l.Backward();
                opt.Step();

                refOpt.ZeroGrad();
                var lr = loss.Forward(reference.Forward(x), y);
                lr.Backward();
                refOpt.Step();
                sumLoss += l.Item();
                sumRef += lr.Item();
                n++;
                step++;
            }
            using var avg = Tensor.Scalar(sumLoss / n, DType.Float64);
            pg.AllReduce(avg, AllReduceOp.Avg);
            if (rank == 0) ctx.Print($"epoch {epoch}: loss (mean of the ranks' shard losses) {avg.Item():F4}; single process, full batch {sumRef / n:F4}");
        }

        // Every rank the same? Max and min over ranks of every parameter element must agree.
        var flat = local.Parameters().SelectMany(p => p.ToDoubleArray()).ToArray();
        using var hi = Tensor.FromArray(flat);
        using var lo = Tensor.FromArray(flat);
        pg.AllReduce(hi, AllReduceOp.Max);
        pg.AllReduce(lo, AllReduceOp.Min);
        double spread = hi.ToDoubleArray().Zip(lo.ToDoubleArray(), (a, b) => a - b).Max();
        ctx.Print($"rank {rank}: parameters identical on all {world} ranks: max spread {G(spread)}");
        ctx.Expect($"rank {rank}: parameters identical on all {world} ranks after {step} steps (max spread)", "0", G(spread), spread == 0);
        double diff = MaxRelDiff(local, reference);
        ctx.Print($"rank {rank}: max relative difference to the single-process full-batch run after {step} steps: {G(diff)}");
        ctx.Expect($"rank {rank}: parameters equal the single-process full-batch run", "≤ 1e-5 relative", G(diff), diff <= 1e-5);
        if (rank == 0) ctx.Print($"last backward: communication {ddp.LastCommSeconds * 1e3:F2} ms, of which not hidden by computation {ddp.LastExposedCommSeconds * 1e3:F2} ms");
    }

    /// <summary>Largest |a − b| / max |b| over the parameter tensors of two models of the same shape.</summary>
    internal static double MaxRelDiff(Module a, Module b)
    {
        double worst = 0;
        foreach (var (p, q) in a.Parameters().Zip(b.Parameters()))
        {
            var x = p.ToDoubleArray();
            var y = q.ToDoubleArray();
            double scale = Math.Max(y.Max(Math.Abs), 1e-12);
            for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / scale);
        }
        return worst;
    }

    /// <summary>The same measure over the parameters' gradients.</summary>
    internal static double MaxRelDiffGrad(Module a, Module b)
    {
        double worst = 0;
        foreach (var (p, q) in a.Parameters().Zip(b.Parameters()))
        {
            var x = p.Grad!.ToDoubleArray();
            var y = q.Grad!.ToDoubleArray();
            double scale = Math.Max(y.Max(Math.Abs), 1e-12);
            for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]) / scale);
        }
        return worst;
    }

    private static string G(double v) => v.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
