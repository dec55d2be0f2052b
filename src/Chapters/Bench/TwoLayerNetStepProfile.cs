using System.Diagnostics;
using Engine;
using Engine.Optim;
using Engine.Scratch;

namespace Chapters.Bench;

/// <summary>
/// Where one ch24 TwoLayerNet training step goes (the step of <see cref="TwoLayerNetStep.ScratchMs"/>: batch 100,
/// 784-50-10, float32): each layer's Forward and Backward and the SGD update timed alone inside a
/// <see cref="Tensor.Scope"/> (best of many runs, after the whole step has run long enough for the JIT to finish),
/// with the loops each hands to the worker threads and the managed bytes it allocates per call; the same calls timed
/// inside whole steps; then the two large GEMMs alone on preallocated outputs, the floor the step cannot go under at
/// this GEMM speed.
/// </summary>
internal static class TwoLayerNetStepProfile
{
    private const int Batch = TwoLayerNetStep.Batch, In = TwoLayerNetStep.In, Hidden = TwoLayerNetStep.Hidden, Out = TwoLayerNetStep.Out;

    /// <summary>Turns each call gets (the calls take turns, round after round).</summary>
    private const int Rounds = 5;

    /// <summary>Whole steps timed call by call (after as many warm-up steps).</summary>
    private const int InSteps = 2000;

    /// <summary>Prints one line per layer call and GEMM: best milliseconds alone, median in the step, hand-offs and KiB allocated per call.</summary>
    public static void Print(int repeat)
    {
        var (wholeStep, optimizer, x, t, gen) = TwoLayerNetStep.ScratchStep();
        Timing.BestOf(wholeStep, 1, warmUpSeconds: 1.5); // every op of the step compiled at its final tier

        // The layer calls run on a second net, whose caches the whole-step turns leave alone; the activations and
        // gradients each layer gets in a step are made once, outside the timed scopes.
        var layersNet = new TwoLayerNet(In, Hidden, Out, generator: gen);
        double[] inStep = InStepMedians(layersNet, optimizer, x, t); // before the activations below: a layer caches its last input
        var affine1 = (Affine)layersNet.Layers["Affine1"];
        var relu1 = (Relu)layersNet.Layers["Relu1"];
        var affine2 = (Affine)layersNet.Layers["Affine2"];
        var last = layersNet.LastLayer;
        using var h1 = affine1.Forward(x);
        using var r1 = relu1.Forward(h1);
        using var scores = affine2.Forward(r1);
        last.Forward(scores, t);
        using var dScores = last.Backward();
        using var dR1 = affine2.Backward(dScores);
        using var dH1 = relu1.Backward(dR1);
        var calls = new List<(string What, Action Body)>();
        void Time(string what, Action body) => calls.Add((what, () => { using var s = Tensor.Scope(); body(); }));

        Time("Affine1.Forward   x·W1 + b1", () => affine1.Forward(x));
        Time("Relu1.Forward", () => relu1.Forward(h1));
        Time("Affine2.Forward   h·W2 + b2", () => affine2.Forward(r1));
        var loss2 = new SoftmaxWithLoss(); // a second loss layer for the Forward row: a timed Forward's Y goes with its scope
        Time("SoftmaxWithLoss.Forward", () => loss2.Forward(scores, t));
        Time("SoftmaxWithLoss.Backward", () => last.Backward());
        Time("Affine2.Backward  dout·W2ᵀ, hᵀ·dout, Σ", () => affine2.Backward(dScores));
        Time("Relu1.Backward", () => relu1.Backward(dR1));
        Time("Affine1.BackwardParams  xᵀ·dout, Σ", () => affine1.BackwardParams(dH1));
        var grads = new OrderedDictionary<string, Tensor>();
        foreach (var (name, p) in layersNet.Params) grads.Add(name, Tensor.ZerosLike(p));
        Time("Sgd.Update        4 parameters", () => optimizer.Update(layersNet.Params, grads));
        int layerCalls = calls.Count;
        Time("whole step        scope, Gradient, Update", wholeStep);

        // The two GEMMs of 3.92 M multiply-adds each, straight to the backend on preallocated outputs.
        var b = CpuBackend.Instance;
        var w1 = layersNet.Params["W1"];
        using var c1 = Tensor.Zeros([Batch, Hidden]);
        using var c2 = Tensor.Zeros([In, Hidden]);
        Time("GEMM x·W1        [100,784]·[784,50]", () => b.MatMul(x, w1, c1));
        Time("GEMM xᵀ·dout     [784,100]·[100,50]", () => b.MatMul(x, dH1, c2, transA: true));

        // Rounds: every call in turn, so load from other processes falls on all of them alike; each keeps its best.
        var best = Enumerable.Repeat(double.MaxValue, calls.Count).ToArray();
        for (int round = 0; round < Rounds; round++)
            for (int i = 0; i < calls.Count; i++)
                best[i] = Math.Min(best[i], Timing.BestOf(calls[i].Body, repeat, minSeconds: 0.002, warmUpSeconds: 0.05) * 1e3);
        var rows = calls.Select((c, i) => (c.What, Ms: best[i], Counts: CountPerCall(c.Body))).ToList();
        if (inStep.Length != layerCalls + 1)
            throw new InvalidOperationException($"TwoLayerNetStepProfile: {inStep.Length - 1} calls timed in the step, {layerCalls} alone; the two lists must name the same calls.");
        double layers = rows.Take(layerCalls).Sum(r => r.Ms);
        double step = rows[layerCalls].Ms;
        double gemms = rows.Skip(layerCalls + 1).Sum(r => r.Ms);
        Console.WriteLine();
        Console.WriteLine($"Where the TwoLayerNet step goes ({WorkerPool.Threads} threads). Alone: each call in a Tensor.Scope, the calls in turn for");
        Console.WriteLine($"{Rounds} rounds, best of {repeat} runs a turn. In the step: the median of {InSteps} whole steps timed call by call, where each");
        Console.WriteLine("call reads what the call before it wrote (perhaps on the other core) instead of what its own last run left in cache.");
        Console.WriteLine("Hand-offs = loops given to the worker threads per call, KiB = managed memory allocated per call.");
        Console.WriteLine($"{"call",-44} {"alone ms",9} {"in step ms",11} {"hand-offs",10} {"KiB",8}");
        for (int i = 0; i < rows.Count; i++)
        {
            var (what, ms, (handOffs, kib)) = rows[i];
            string inStepMs = i <= layerCalls ? inStep[i].ToString("F4") : "—";
            Console.WriteLine($"{what,-44} {ms,9:F4} {inStepMs,11} {handOffs,10:F1} {kib,8:F1}");
        }
        Console.WriteLine($"{"sum of the layer calls and the update",-44} {layers,9:F4} {inStep.Take(layerCalls).Sum(),11:F4}");
        Console.WriteLine($"The two large GEMMs alone: {gemms:F4} ms, {2 * 2.0 * Batch * In * Hidden / (gemms * 1e-3) / 1e9:F0} GFLOP/s; the whole step {step:F4} ms" +
            (step > gemms ? $", {step - gemms:F4} ms ({100 * (step - gemms) / step:F0}%) of it on everything else." : " (less than the GEMMs alone: the load changed between turns)."));
    }

    /// <summary>
    /// The step's calls timed inside whole steps of <paramref name="net"/>, in the order Gradient and Update make them
    /// (a timestamp between calls), after as many warm-up steps: the median milliseconds of each of the nine calls of
    /// the profile, then of the whole step (scope included), over <paramref name="steps"/> steps.
    /// </summary>
    internal static double[] InStepMedians(TwoLayerNet net, Optimizer optimizer, Tensor x, Tensor t, int steps = InSteps)
    {
        var (affine1, relu1, affine2, last) = ((Affine)net.Layers["Affine1"], net.Layers["Relu1"], (Affine)net.Layers["Affine2"], net.LastLayer);
        const int calls = 9;
        string[] keys = [.. Enumerable.Range(0, calls).Select(c => $"call {c}"), "step"];
        var ms = new Samples();
        var stamps = new long[calls + 2];
        for (int step = -steps; step < steps; step++)
        {
            int n = 0;
            stamps[n++] = Stopwatch.GetTimestamp();
            using (Tensor.Scope())
            {
                var h1 = affine1.Forward(x); stamps[n++] = Stopwatch.GetTimestamp();
                var r1 = relu1.Forward(h1); stamps[n++] = Stopwatch.GetTimestamp();
                var scores = affine2.Forward(r1); stamps[n++] = Stopwatch.GetTimestamp();
                last.Forward(scores, t); stamps[n++] = Stopwatch.GetTimestamp();
                var dScores = last.Backward(); stamps[n++] = Stopwatch.GetTimestamp();
                var dR1 = affine2.Backward(dScores); stamps[n++] = Stopwatch.GetTimestamp();
                var dH1 = relu1.Backward(dR1); stamps[n++] = Stopwatch.GetTimestamp();
                affine1.BackwardParams(dH1); stamps[n++] = Stopwatch.GetTimestamp();
                optimizer.Update(net.Params, new OrderedDictionary<string, Tensor>
                    { ["W1"] = affine1.DW!, ["b1"] = affine1.DB!, ["W2"] = affine2.DW!, ["b2"] = affine2.DB! });
                stamps[n++] = Stopwatch.GetTimestamp();
            }
            stamps[n] = Stopwatch.GetTimestamp();
            if (step < 0) continue;
            for (int c = 0; c < calls; c++) ms.Add(keys[c], Stopwatch.GetElapsedTime(stamps[c], stamps[c + 1]).TotalMilliseconds);
            ms.Add(keys[calls], Stopwatch.GetElapsedTime(stamps[0], stamps[calls + 1]).TotalMilliseconds);
        }
        return [.. keys.Select(key => ms.Median(key)!.Value)];
    }

    /// <summary>Worker hand-offs and managed KiB allocated per call of <paramref name="body"/>, over 200 calls.</summary>
    private static (double HandOffs, double KiB) CountPerCall(Action body)
    {
        const int calls = 200;
        long handOffs = WorkerPool.HandOffs, bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) body();
        return ((WorkerPool.HandOffs - handOffs) / (double)calls, (GC.GetAllocatedBytesForCurrentThread() - bytes) / 1024.0 / calls);
    }
}
