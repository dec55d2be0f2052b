using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Distributed;
using Engine.Nn;
using Engine.Parallelism;

namespace Chapters.Bench;

/// <summary>
/// `chapters bench allreduce`: DistributedDataParallel's gradient all-reduce over MPI, by bucket size,
/// with and without overlapping it with the backward pass. Started without a launcher it launches
/// itself with --nproc 2 (mpirun). Rank 0 prints one table; every number is measured in this run.
/// </summary>
public sealed class AllReduceBench : BenchSuite
{
    public override string Name => "allreduce";
    public override IReadOnlyList<string> OptionNames => ["nproc", "width", "steps"];
    public override string Title => "DDP gradient all-reduce vs bucket size, with and without overlap (MPI, launches 2 ranks)";

    public override int Run(Dictionary<string, string> options)
    {
        if (!Dist.IsLaunched)
        {
            int nproc = options.TryGetValue("nproc", out var n) && int.TryParse(n, out int k) ? k : 2;
            var psi = Launcher.StartInfo(nproc, ["bench", "allreduce", .. CliOptions.ToArgs(options.Where(o => o.Key != "nproc"))]);
            Console.Error.WriteLine($"bench allreduce: {psi.FileName} {string.Join(" ", psi.ArgumentList)}");
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("bench allreduce: could not start mpirun.");
            p.WaitForExit();
            return p.ExitCode;
        }
        using var pg = Dist.InitProcessGroup("mpi");
        int width = options.TryGetValue("width", out var w) ? int.Parse(w, CultureInfo.InvariantCulture) : 256;
        int steps = options.TryGetValue("steps", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 8;
        var g = new Generator(7);
        using var x = Tensor.Randn([32, width], generator: g);
        using var y = Tensor.Randn([32, 1], generator: g);
        Sequential Model() => new(new Linear(width, width, generator: new Generator(1)), new ReLU(),
            new Linear(width, width, generator: new Generator(2)), new ReLU(),
            new Linear(width, width, generator: new Generator(3)), new ReLU(),
            new Linear(width, 1, generator: new Generator(4)));

        long paramBytes = Model().Parameters().Sum(p => p.Size * 4);
        // One all-reduce of the whole gradient, for reference.
        using var flat = Tensor.Zeros([(int)(paramBytes / 4)]);
        var one = new List<double>();
        for (int i = 0; i < steps + 2; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            pg.AllReduce(flat, AllReduceOp.Avg);
            if (i >= 2) one.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        var rows = new List<string>();
        foreach (double mb in new[] { 0.0625, 0.25, 1.0, 25.0 })
            foreach (bool overlap in new[] { false, true })
            {
                var model = Model();
                using var ddp = new DistributedDataParallel(model, pg, bucketCapMb: mb, overlap: overlap);
                var backward = new List<double>();
                var comm = new List<double>();
                var exposed = new List<double>();
                for (int i = 0; i < steps + 2; i++)
                {
                    using var scope = Tensor.Scope();
                    model.ZeroGrad();
                    var loss = (ddp.Forward(x) - y).Square().Mean();
                    long t0 = Stopwatch.GetTimestamp();
                    loss.Backward();
                    if (i < 2) continue;
                    backward.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    comm.Add(ddp.LastCommSeconds * 1e3);
                    exposed.Add(ddp.LastExposedCommSeconds * 1e3);
                }
                rows.Add($"{mb,10:0.####} {ddp.Buckets.Count,8} {(overlap ? "yes" : "no"),8} {Median(backward),14:F3} {Median(comm),12:F3} {Median(exposed),14:F3}");
            }
        if (pg.Rank == 0)
        {
            Console.WriteLine($"DDP all-reduce over MPI: {pg.WorldSize} ranks, model 3×Linear({width},{width}) + Linear({width},1) = {paramBytes / 1e6:F2} MB of float32 gradients, batch 32 per rank; medians of {steps} steps");
            Console.WriteLine($"one all-reduce of the whole gradient ({paramBytes / 1e6:F2} MB): {Median(one):F3} ms");
            Console.WriteLine("bucket MiB  buckets  overlap    backward ms      comm ms   exposed comm ms");
            foreach (var r in rows) Console.WriteLine(r);
            Console.WriteLine("backward ms: loss.Backward() including the reduction; comm ms: first bucket launched → last reduced; exposed: time the backward waited for communication after its last gradient.");
        }
        return 0;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(v => v).ToList();
        return s[s.Count / 2];
    }
}
