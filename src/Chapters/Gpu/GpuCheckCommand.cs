using Engine;
using Engine.Kernels;
using Engine.Kernels.Checks;

namespace Chapters.Gpu;

/// <summary>
/// `chapters gpu-check`: every op of the op table on the GPU against a CPU oracle — max relative
/// error against the tolerance table, time, achieved GB/s or GFLOP/s next to the device's measured
/// copy bandwidth and cuBLAS SGEMM rate — then the SGEMM ladder against cuBLAS. One table, printed
/// and written to &lt;out&gt;/gpu-check.md. Exits 1 when any op is out of tolerance (the GPU machine has
/// no .NET, so this is where the cross-check tests run there). The oracle: with --quick (the test sizes)
/// CpuReference, the plain CPU reference backend; at the large sizes the fast CpuBackend (which the op suite
/// checks against CpuReference), with CpuReference re-run on a case that fails, to tell which side is wrong.
/// Without a GPU it says so and exits 0 (3 with --require-gpu); `--device cpu` runs the same cases on the
/// CPU against their formulas; `--oracles` runs the CPU half of the large check here (<see cref="GpuCheckOracles"/>).
/// `--values` compares values only (small cases, no timings, yardsticks or SGEMM ladder): what
/// KernelEmulationTests runs over the host emulation of kernels.cu (ENGINE_CUDA_DRIVER).
/// </summary>
public sealed class GpuCheckCommand : Command
{
    public override string Name => "gpu-check";
    public override string Usage => "gpu-check [--quick] [--values] [--oracles] [--filter TEXT] [--reps N] [--out DIR] [--require-gpu] [--device cpu]";
    public override string Summary => "Runs every op of the op table on the GPU against a CPU oracle (CpuReference at the --quick test sizes, the fast CpuBackend at the large sizes; relative error against the tolerance, time, GB/s or GFLOP/s), then the SGEMM ladder against cuBLAS; writes <out>/gpu-check.md. Exit 1 when an op is out of tolerance. Without a GPU it says so and exits 0 (3 with --require-gpu); --device cpu checks the CPU twins against their formulas; --values compares every op case's values with CpuReference (under the host emulation too); --oracles times the large cases' two CPU oracles here and checks CpuBackend against CpuReference at those sizes.";
    public override IReadOnlyList<string> OptionNames => ["quick", "values", "oracles", "filter", "reps", "out", "require-gpu", "device"];

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        bool cpu = options.GetValueOrDefault("device", "cuda") == "cpu";
        bool values = options.ContainsKey("values");
        bool quick = options.ContainsKey("quick") || cpu || values;
        int reps = values ? 0 : int.Parse(options.GetValueOrDefault("reps", quick ? "3" : "5"));
        string? filter = options.GetValueOrDefault("filter");
        string outDir = options.GetValueOrDefault("out", "out");
        if (options.ContainsKey("oracles")) return GpuCheckOracles.Run(filter, outDir);
        // CPU twins against formulas; the test sizes against CpuReference; the large sizes against the fast CPU backend.
        var oracle = cpu ? OpCheck.Oracle.Formula : quick ? OpCheck.Oracle.Reference : OpCheck.Oracle.FastCpu;
        if (!cpu && DeviceRegistry.CudaDeviceCount == 0)
        {
            Console.WriteLine($"gpu-check: no GPU ({DeviceRegistry.CudaUnavailableReason}); nothing to check. `chapters gpu-check --device cpu` checks the CPU twins against their formulas.");
            return options.ContainsKey("require-gpu") ? 3 : 0;
        }
        var device = cpu ? Device.Cpu : Device.Cuda(0);
        var report = new ConsoleReport();
        void Line(string s = "") => report.Line(s);

        double copyGBs = 0, sgemmGflops = 0;
        CudaBackend? backend = null;
        if (!cpu)
        {
            backend = (CudaBackend)DeviceRegistry.Backend(device);
            var info = CudaDeviceInfo.Query(0);
            Line($"# gpu-check on cuda:0 — {info.Name} (CC {info.ComputeCapability}, {info.MultiProcessorCount} SMs, {info.TotalMemory >> 20} MiB)");
            Line();
            Line($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · driver CUDA {CudaRuntime.DriverVersion} · kernels: {backend.KernelSource} · cuBLAS: {(backend.Blas is null ? "not found (MatMul uses matmul_f32/f64)" : CudaBlas.LibraryDescription)} · TF32 off");
        }
        if (backend is not null && !values)
        {
            var info = CudaDeviceInfo.Query(0);
            copyGBs = DeviceBenchmarks.CopyBandwidth(backend);
            double h2d = DeviceBenchmarks.HostToDeviceBandwidth(backend);
            Line();
            Line($"Yardsticks: device-to-device copy {copyGBs:F0} GB/s (read + write; theoretical DRAM peak {info.PeakBandwidthGBs:F0} GB/s), host-to-device {h2d:F1} GB/s (pageable)" +
                 (backend.Blas is null ? "" : $", cuBLAS SGEMM 4096³ {sgemmGflops = DeviceBenchmarks.CublasSgemm(backend):F0} GFLOP/s (TF32 on: {DeviceBenchmarks.CublasSgemm(backend, tf32: true):F0})") + ".");
        }
        if (cpu)
        {
            Line("# gpu-check --device cpu: the CPU twins against independent formulas (the CPU fixture of tests/Engine.Tests/Ops)");
        }
        Line();
        Line("Relative error: elementwise ops element by element (entries below 1e-3 of the tensor's largest judged at that scale; edge cases against each value itself); sums (reductions, GEMM, atomics) normwise, max |Δ| / max |reference|; softmax each probability against itself, log-softmax absolutely below 1. NaN must meet NaN and ±∞ the same ∞. Tolerances: fp32 elementwise 1e-6, sums 1e-4, softmax 1e-5; fp64 1e-12, 1e-10, 1e-12 (log-softmax 1e-6 / 1e-13); integers exact.");
        Line();
        Line($"| op | kernel | rel err | tolerance | ms | rate | of yardstick | |");
        Line($"|---|---|---:|---:|---:|---:|---:|---|");
        int pass = 0, fail = 0, compared = 0;
        foreach (var c in OpCases.All(large: !quick))
        {
            if (filter is not null && !c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            try
            {
                var r = OpCheck.Run(c, device, device.Backend, oracle, reps: reps);
                double yard = c.Flops > 0 ? sgemmGflops : copyGBs;
                string of = yard > 0 ? $"{100 * r.Rate / yard:F0}%" : "";
                // A failure against the fast CPU backend is re-checked against CpuReference: which side is wrong.
                string arbiter = !r.Pass && oracle == OpCheck.Oracle.FastCpu
                    ? $" (vs CpuReference: rel err {OpCheck.Run(c, device, device.Backend, OpCheck.Oracle.Reference).MaxRelError:E1})"
                    : "";
                Line($"| {r.Name} | {r.Kernel} | {r.MaxRelError:E1} | {r.Tolerance:E0} | {r.Milliseconds:F3} | {r.Rate:F1} {r.Unit} | {of} | {(r.Pass ? "pass" : "FAIL" + arbiter)} |");
                if (r.Pass) pass++; else fail++;
                compared++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Line($"| {c.Name} | {c.Kernel} | | | | | | FAIL: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} |");
                fail++;
                if (e is CudaException { ErrorName: "CUDA_ERROR_ILLEGAL_ADDRESS" or "CUDA_ERROR_LAUNCH_FAILED" })
                {
                    Line("The context is lost after this error; stopping.");
                    break;
                }
            }
        }
        Line();
        Line($"{compared} op cases compared with the {oracle switch { OpCheck.Oracle.Formula => "reference formulas", OpCheck.Oracle.Reference => "CPU reference backend (CpuReference)", _ => "fast CPU backend (CpuBackend; CpuReference re-run on a failure)" }}");
        if (backend is not null && filter is null)
        {
            double e = RecycledMemoryCheck.Run(backend);
            bool stepOk = e <= 1e-4;
            Line();
            Line($"Conv-net step (Conv2d + bias, ReLU, MaxPool2d, MatMul, backward; Scratch.Relu backward) on recycled memory, the allocator's cache filled with 0xFF (NaN) first, vs the CPU: normwise rel err {e:E1}, tolerance 1e-4, {(stepOk ? "pass" : "FAIL")}");
            if (stepOk) pass++; else fail++;
        }
        if (backend is not null && filter is null && !values)
        {
            var m = DeviceMemoryCheck.Run(backend);
            Line();
            Line($"GC loop: {m.Tensors} × 256 MiB tensors never disposed ({m.BytesRequested >> 30} GiB on a {m.DeviceBytes >> 30} GiB card) in {m.Seconds:F1} s: " +
                 $"{m.ReclaimedByGc} blocks reclaimed from finalizers, {m.DriverAllocations} cuMemAlloc, allocated {m.Allocated >> 20} MiB, reserved {m.Reserved >> 20} MiB after, {(m.Pass ? "pass" : "FAIL")}");
            if (m.Pass) pass++; else fail++;
        }
        if (backend is not null && filter is null && !values)
        {
            Line();
            Line("## SGEMM ladder (row-major C = A·B; checked against cuBLAS at 1020³, timed at 4096³)");
            Line();
            Line("| kernel | idea | rel err vs cuBLAS (normwise) | ms | GFLOP/s | of cuBLAS | |");
            Line("|---|---|---:|---:|---:|---:|---|");
            foreach (var r in SgemmLadder.Run(backend, timeSize: quick ? 2048 : 4096))
            {
                bool ok = r.MaxRelError <= 1e-4;
                Line($"| {r.Kernel} | {r.Idea} | {r.MaxRelError:E1} | {r.Milliseconds:F2} | {r.Gflops:F0} | {100 * r.FractionOfCublas:F0}% | {(ok ? "pass" : "FAIL")} |");
                if (ok) pass++; else fail++;
            }
        }
        Line();
        Line($"{pass} passed, {fail} failed");
        string file = Path.Combine(outDir, cpu ? "gpu-check-cpu.md" : "gpu-check.md");
        report.Save(file);
        return fail == 0 ? 0 : 1;
    }
}
