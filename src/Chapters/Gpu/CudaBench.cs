using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Chapters.Bench;
using Engine;
using Engine.Functional;
using Engine.Kernels;
using Engine.Kernels.Checks;

namespace Chapters.Gpu;

/// <summary>
/// `chapters bench cuda` (or `bench --device cuda`): training steps of the ch24 TwoLayerNet
/// (784-50-10, batch 100) and of a wider MLP (784-1024-1024-10, batch 1024) on the CPU and the GPU,
/// cuBLAS SGEMM through Tensor.MatMul, and the SGEMM ladder — with PyTorch on the same GPU measured
/// in the same run when `python3 -c 'import torch'` works there, as ratios. TF32 off everywhere.
/// Options: --repeat N (default 5), --python PATH (default python3), --out DIR.
/// </summary>
public sealed class CudaBench : BenchSuite
{
    public override string Name => "cuda";
    public override IReadOnlyList<string> OptionNames => ["device", "repeat", "python", "out", "require-gpu"];
    public override string Title => "CUDA: TwoLayerNet and MLP training steps, SGEMM ladder vs cuBLAS, PyTorch on the same GPU";

    public override int Run(Dictionary<string, string> options)
    {
        if (DeviceRegistry.CudaDeviceCount == 0)
        {
            Console.WriteLine($"bench cuda: no GPU ({DeviceRegistry.CudaUnavailableReason}); nothing to measure.");
            return options.ContainsKey("require-gpu") ? 3 : 0;
        }
        int repeat = int.Parse(options.GetValueOrDefault("repeat", "5"));
        string python = options.GetValueOrDefault("python", "python3");
        var gpu = Device.Cuda(0);
        var backend = (CudaBackend)DeviceRegistry.Backend(gpu);
        var info = CudaDeviceInfo.Query(0);
        var report = new StringBuilder();
        void Line(string s = "")
        {
            Console.WriteLine(s);
            report.AppendLine(s);
        }
        Line($"# {Title}");
        Line();
        Line($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {info.Name} · driver CUDA {CudaRuntime.DriverVersion} · {Environment.ProcessorCount} CPU threads · best of {repeat} runs");
        Line();

        var torch = Torch(python, out string? torchError);
        double? T(string key) => torch is { } t && t.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

        Line("| benchmark | engine CPU | engine CUDA | PyTorch CUDA | CUDA speed-up over CPU | engine ÷ PyTorch |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (var (label, key, sizes, batch) in new[] { ("784-50-10 step, batch 100 (ms)", "step_small_ms", new[] { 784, 50, 10 }, 100), ("784-1024-1024-10 step, batch 1024 (ms)", "step_mlp_ms", new[] { 784, 1024, 1024, 10 }, 1024) })
        {
            double cpu = StepMs(Device.Cpu, sizes, batch, repeat), cuda = StepMs(gpu, sizes, batch, repeat);
            double? pt = T(key);
            Line($"| {label} | {cpu:F3} | {cuda:F3} | {Fmt(pt, "F3")} | {cpu / cuda:F1}× | {(pt is double p ? $"{cuda / p:F2}" : "—")} |");
        }
        {
            double gf = MatMulGflops(gpu, 4096, repeat);
            double? pt = T("sgemm4096_gflops");
            Line($"| SGEMM 4096³ via MatMul (GFLOP/s) | — | {gf:F0} | {Fmt(pt, "F0")} | — | {(pt is double p ? $"{gf / p:F2}" : "—")} |");
        }
        Line();
        Line("Step: float32 ReLU MLP, cross-entropy on int labels, autograd backward, SGD lr 0.1 (SgdUpdate); CUDA times include");
        Line("launch overhead and end with a synchronisation. Ratios: engine ÷ PyTorch for times (lower is better for the engine),");
        Line("GFLOP/s ratio for SGEMM (higher is better).");
        Line(torch is null ? $"PyTorch: not measured ({torchError})." : $"PyTorch {torch.Value.GetProperty("torch").GetString()} on {torch.Value.GetProperty("device").GetString()}.");
        Line();
        Line("## SGEMM ladder (4096³, checked against cuBLAS at 1020³)");
        Line();
        Line("| kernel | idea | rel err vs cuBLAS (normwise) | ms | GFLOP/s | of cuBLAS |");
        Line("|---|---|---:|---:|---:|---:|");
        foreach (var r in SgemmLadder.Run(backend, reps: repeat))
            Line($"| {r.Kernel} | {r.Idea} | {r.MaxRelError:E1} | {r.Milliseconds:F2} | {r.Gflops:F0} | {100 * r.FractionOfCublas:F0}% |");
        string outDir = options.GetValueOrDefault("out", "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "bench-cuda.md"), report.ToString());
        Console.WriteLine($"(written to {Path.Combine(outDir, "bench-cuda.md")})");
        return 0;
    }

    private static string Fmt(double? v, string f) => v is double d ? d.ToString(f) : "—";

    /// <summary>Best ms per training step of a ReLU MLP with layer sizes <paramref name="sizes"/> on a device (same seed everywhere).</summary>
    internal static double StepMs(Device device, int[] sizes, int batch, int repeat)
    {
        var gen = new Generator(0);
        var parameters = new List<Tensor>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            using var w = Tensor.Randn([sizes[i], sizes[i + 1]], generator: gen) * Math.Sqrt(2.0 / sizes[i]);
            parameters.Add(w.To(device, copy: true).RequiresGrad_());
            parameters.Add(Tensor.Zeros([sizes[i + 1]], DType.Float32, device).RequiresGrad_());
        }
        using var xCpu = Tensor.Rand([batch, sizes[0]], generator: gen);
        var x = xCpu.To(device, copy: true);
        var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(_ => gen.NextInt(sizes[^1])).ToArray(), null, device);
        void Step()
        {
            using (Tensor.Scope())
            {
                var h = x;
                for (int i = 0; i < parameters.Count; i += 2)
                {
                    h = h.MatMul(parameters[i]) + parameters[i + 1];
                    if (i + 2 < parameters.Count) h = h.Relu();
                }
                var loss = F.CrossEntropy(h, labels);
                foreach (var p in parameters) p.ZeroGrad();
                loss.Backward();
                using (Tensor.NoGrad())
                    foreach (var p in parameters) p.Backend.SgdUpdate(p, p.Grad!, 0.1, 0);
            }
            device.Backend.Synchronize();
        }
        double ms = Timing.BestOf(Step, repeat) * 1e3;
        foreach (var p in parameters) { p.ZeroGrad(); p.Dispose(); }
        x.Dispose();
        labels.Dispose();
        return ms;
    }

    private static double MatMulGflops(Device device, int n, int repeat)
    {
        var g = new Generator(1);
        using var a = Tensor.Randn([n, n], generator: g).To(device, copy: true);
        using var b = Tensor.Randn([n, n], generator: g).To(device, copy: true);
        using var c = Tensor.Zeros([n, n], DType.Float32, device);
        double ms = OpCheck.Time(device.Backend, () => device.Backend.MatMul(a, b, c), repeat);
        return 2.0 * n * n * n / (ms * 1e-3) / 1e9;
    }

    /// <summary>Runs the PyTorch twin on the GPU; null (with the reason) when python3/torch/CUDA is missing.</summary>
    private static JsonElement? Torch(string python, out string? error)
    {
        error = null;
        string script = Path.Combine(Path.GetTempPath(), $"engine-torch-bench-{Environment.ProcessId}.py");
        File.WriteAllText(script, TorchScript);
        try
        {
            var psi = new ProcessStartInfo(python, [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(300_000)) { p.Kill(true); error = "timed out after 300 s"; return null; }
            string text = stdout.Result.Trim();
            if (p.ExitCode != 0 || text.Length == 0) { error = $"{python} exited {p.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}"; return null; }
            using var doc = JsonDocument.Parse(text.Split('\n')[^1]);
            var root = doc.RootElement.Clone();
            if (root.TryGetProperty("missing", out var m)) { error = m.GetString(); return null; }
            return root;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            error = $"cannot start {python}: {e.Message}";
            return null;
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The PyTorch twin of the steps and of SGEMM above (same sizes, TF32 off, best of 5 × timed loops).</summary>
    private const string TorchScript = """
        import json, time
        try:
            import torch
        except Exception as e:
            print(json.dumps({"missing": f"import torch failed: {e}"})); raise SystemExit(0)
        if not torch.cuda.is_available():
            print(json.dumps({"missing": f"torch {torch.__version__} sees no CUDA device"})); raise SystemExit(0)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        dev = torch.device("cuda")

        def best(fn, min_s=0.02, repeat=5, warm=0.5):
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < warm: fn()
            calls = 1
            while True:
                t = time.perf_counter()
                for _ in range(calls): fn()
                s = time.perf_counter() - t
                if s >= min_s or calls >= 1 << 20: break
                calls *= 2
            b = s / calls
            for _ in range(repeat - 1):
                t = time.perf_counter()
                for _ in range(calls): fn()
                b = min(b, (time.perf_counter() - t) / calls)
            return b

        def step_ms(sizes, batch):
            g = torch.Generator(device="cpu").manual_seed(0)
            params = []
            for i in range(len(sizes) - 1):
                w = (torch.randn(sizes[i], sizes[i + 1], generator=g) * (2.0 / sizes[i]) ** 0.5).to(dev).requires_grad_()
                b = torch.zeros(sizes[i + 1], device=dev, requires_grad=True)
                params += [w, b]
            x = torch.rand(batch, sizes[0], generator=g).to(dev)
            labels = torch.randint(0, sizes[-1], (batch,), generator=g).to(dev)
            def step():
                h = x
                for i in range(0, len(params), 2):
                    h = h @ params[i] + params[i + 1]
                    if i + 2 < len(params): h = torch.relu(h)
                loss = torch.nn.functional.cross_entropy(h, labels)
                for p in params: p.grad = None
                loss.backward()
                with torch.no_grad():
                    for p in params: p -= 0.1 * p.grad
                torch.cuda.synchronize()
            return best(step) * 1e3

        def sgemm(n):
            a = torch.randn(n, n, device=dev); b = torch.randn(n, n, device=dev); c = torch.empty(n, n, device=dev)
            torch.mm(a, b, out=c); torch.cuda.synchronize()
            times = []
            for _ in range(5):
                s = torch.cuda.Event(enable_timing=True); e = torch.cuda.Event(enable_timing=True)
                s.record(); torch.mm(a, b, out=c); e.record(); e.synchronize()
                times.append(s.elapsed_time(e))
            times.sort()
            return 2.0 * n ** 3 / (times[len(times) // 2] * 1e-3) / 1e9

        print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0),
                          "step_small_ms": step_ms([784, 50, 10], 100), "step_mlp_ms": step_ms([784, 1024, 1024, 10], 1024),
                          "sgemm4096_gflops": sgemm(4096)}))
        """;
}
