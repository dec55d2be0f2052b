using System.Diagnostics;

namespace Engine.Kernels.Checks;

/// <summary>
/// Runs an <see cref="OpCase"/> on a backend and compares it with an oracle: the case's independent
/// formula (<see cref="Oracle.Formula"/>), the plain <see cref="CpuReference"/> backend
/// (<see cref="Oracle.Reference"/>) or the fast <see cref="CpuBackend"/> (<see cref="Oracle.FastCpu"/>).
/// The fast CPU backend is checked against the first two; CUDA against CpuReference at the test sizes and
/// against CpuBackend at gpu-check's large sizes, where CpuReference's single-threaded loops would take
/// most of the run (a large MatMul case takes seconds there).
/// Optionally times it (CUDA events on the backend's stream) and reports GB/s or GFLOP/s.
/// Relative error of elementwise (and exact) ops, element by element:
/// max_i |got_i − want_i| / max(|want_i|, 1e-3 · max_j |want_j|), so entries much smaller than the
/// tensor's scale are judged by absolute error at that scale. Sums (reductions, GEMM, atomics) are
/// judged normwise, max_i |got_i − want_i| / max_j |want_j|: their rounding error scales with the
/// summands, not with an entry that happens to cancel to almost zero. Softmax outputs are judged element
/// by element against each probability (floor: the smallest normal number), log-softmax outputs
/// absolutely below 1 and relatively above. The scale ignores NaN and ±∞, which must match exactly.
/// </summary>
internal static class OpCheck
{
    /// <summary>What a run is compared with.</summary>
    public enum Oracle
    {
        /// <summary>The case's own formula over the inputs as doubles (<see cref="OpCase.Reference"/>).</summary>
        Formula,
        /// <summary>The same op on <see cref="CpuReference"/>, from the same inputs.</summary>
        Reference,
        /// <summary>The same op on the fast <see cref="CpuBackend"/>, from the same inputs (itself checked against CpuReference by the op suite).</summary>
        FastCpu,
    }

    /// <summary>
    /// Checks <paramref name="c"/> on <paramref name="device"/>: the CPU against the case's formula, any other
    /// device against CpuReference; times it over <paramref name="reps"/> runs when reps &gt; 0.
    /// </summary>
    public static OpCheckResult Run(OpCase c, Device device, ulong seed = 1234, int reps = 0) =>
        Run(c, device, device.Backend, device.Type == DeviceType.Cpu ? Oracle.Formula : Oracle.Reference, seed, reps);

    /// <summary>Checks <paramref name="c"/> run by <paramref name="backend"/> (whose tensors live on <paramref name="device"/>) against <paramref name="oracle"/>.</summary>
    public static OpCheckResult Run(OpCase c, Device device, IBackend backend, Oracle oracle, ulong seed = 1234, int reps = 0)
    {
        var gen = new Generator(seed);
        var inputs = c.Inputs(gen);
        try
        {
            double[][] want = oracle switch
            {
                Oracle.Formula => (c.Reference ?? throw new InvalidOperationException($"{c.Name}: no reference formula for the check."))(inputs.Select(t => t.ToDoubleArray()).ToArray()),
                Oracle.Reference => Execute(c, inputs, Device.Cpu, CpuReference.Instance, 0, out _),
                _ => Execute(c, inputs, Device.Cpu, CpuBackend.Instance, 0, out _),
            };
            double[][] got = Execute(c, inputs, device, backend, reps, out double ms);
            double err = MaxError(c, got, want);
            double rate = 0;
            string unit = c.Flops > 0 ? "GFLOP/s" : "GB/s";
            if (ms > 0)
            {
                using var probeIn = new DisposableList(inputs.Select(t => t.To(device, copy: true)));
                using var probeOut = new DisposableList(c.Outputs(probeIn.Items));
                double work = c.Flops > 0 ? c.Flops : c.Bytes?.Invoke(probeIn.Items, probeOut.Items) ?? probeIn.Items.Concat(probeOut.Items).Sum(t => t.Size * (long)t.DType.SizeOf());
                rate = work / (ms * 1e-3) / 1e9;
            }
            return new OpCheckResult(c.Name, c.Kernel, err, c.Tolerance, ms, rate, unit);
        }
        finally
        {
            foreach (var t in inputs) t.Dispose();
        }
    }

    /// <summary>The largest error over the compared outputs, measured as the case's kind says.</summary>
    internal static double MaxError(OpCase c, double[][] got, double[][] want)
    {
        var idx = c.Compared ?? Enumerable.Range(0, want.Length).ToArray();
        double err = 0;
        foreach (int i in idx)
        {
            if (got[i].Length != want[i].Length)
                throw new InvalidOperationException($"{c.Name}: output {i} has {got[i].Length} values, the reference {want[i].Length}.");
            err = Math.Max(err, c.Kind switch
            {
                OpKind.Reduction => NormRelError(got[i], want[i]),
                OpKind.Probabilities => ElementRelError(got[i], want[i], c.DType == DType.Float32 ? 1.1754943508222875e-38 : 2.2250738585072014e-308),
                OpKind.LogProbabilities => ElementRelError(got[i], want[i], 1),
                _ => c.Floor is { } floor ? ElementRelError(got[i], want[i], floor) : MaxRelError(got[i], want[i]),
            });
        }
        return err;
    }

    /// <summary>Moves copies of the inputs to the device, runs once on the backend for the result, then times <paramref name="reps"/> more runs.</summary>
    internal static double[][] Execute(OpCase c, Tensor[] cpuInputs, Device device, IBackend backend, int reps, out double ms)
    {
        using var inputs = new DisposableList(cpuInputs.Select(t => t.To(device, copy: true)));
        using var outputs = new DisposableList(c.Outputs(inputs.Items));
        using (Tensor.NoGrad()) c.Execute(backend, inputs.Items, outputs.Items);
        var result = outputs.Items.Select(t => t.ToDoubleArray()).ToArray();
        ms = reps > 0 ? Time(backend, () => c.Execute(backend, inputs.Items, outputs.Items), reps) : 0;
        return result;
    }

    /// <summary>Median milliseconds of one run over <paramref name="reps"/> runs after a warm-up.</summary>
    public static double Time(IBackend backend, Action run, int reps)
    {
        run();
        backend.Synchronize();
        var times = new double[reps];
        if (backend is CudaBackend cuda)
        {
            using var start = new CudaEvent(cuda.Context);
            using var end = new CudaEvent(cuda.Context);
            for (int i = 0; i < reps; i++)
            {
                start.Record(cuda.Stream);
                run();
                end.Record(cuda.Stream);
                times[i] = CudaEvent.ElapsedTime(start, end);
            }
        }
        else
        {
            for (int i = 0; i < reps; i++)
            {
                var sw = Stopwatch.StartNew();
                run();
                times[i] = sw.Elapsed.TotalMilliseconds;
            }
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    /// <summary>max_i |a_i − b_i| / max(|b_i|, 1e-3 · max_j |b_j|); exact comparisons count any difference as ∞.</summary>
    public static double MaxRelError(double[] got, double[] want)
    {
        double scale = 0;
        foreach (var w in want) if (double.IsFinite(w)) scale = Math.Max(scale, Math.Abs(w));
        return ElementRelError(got, want, Math.Max(1e-3 * scale, 1e-300));
    }

    /// <summary>max_i |a_i − b_i| / max(|b_i|, floor); NaN must meet NaN and ±∞ the same ∞, else the error is ∞.</summary>
    public static double ElementRelError(double[] got, double[] want, double floor)
    {
        double err = 0;
        for (int i = 0; i < want.Length; i++)
        {
            double d = Math.Abs(got[i] - want[i]);
            if (double.IsNaN(got[i]) != double.IsNaN(want[i])) return double.PositiveInfinity;
            if (double.IsNaN(d)) continue;
            if (double.IsInfinity(want[i]) || double.IsInfinity(got[i])) { if (got[i] != want[i]) return double.PositiveInfinity; continue; }
            err = Math.Max(err, d / Math.Max(Math.Abs(want[i]), floor));
        }
        return err;
    }

    /// <summary>max_i |a_i − b_i| / max_j |b_j| (normwise; NaN or ∞ mismatches count as ∞).</summary>
    public static double NormRelError(double[] got, double[] want)
    {
        double scale = 0, diff = 0;
        for (int i = 0; i < want.Length; i++)
        {
            if (double.IsNaN(got[i]) != double.IsNaN(want[i]) || (double.IsInfinity(want[i]) || double.IsInfinity(got[i])) && got[i] != want[i])
                return double.PositiveInfinity;
            if (double.IsNaN(want[i]) || double.IsInfinity(want[i])) continue;
            scale = Math.Max(scale, Math.Abs(want[i]));
            diff = Math.Max(diff, Math.Abs(got[i] - want[i]));
        }
        return diff == 0 ? 0 : diff / Math.Max(scale, 1e-300);
    }

    private sealed class DisposableList(IEnumerable<Tensor> items) : IDisposable
    {
        public Tensor[] Items { get; } = items.ToArray();

        public void Dispose()
        {
            foreach (var t in Items) t.Dispose();
        }
    }
}
