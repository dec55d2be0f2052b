using System.Text.Json;
using Engine;

namespace Chapters.Bench;

/// <summary>
/// Makes the benchmark peers (NumPy, PyTorch on OpenBLAS) run the best OpenBLAS kernel that computes
/// correctly on this CPU. OpenBLAS picks its kernel from the CPU model; one it does not know (a new
/// AMD EPYC, for instance) gets the generic Prescott kernel, several times slower. So the core is
/// chosen here from the CPU's feature flags and set with OPENBLAS_CORETYPE for the peer process only,
/// and the peer's product of the engine's own operands is checked against the engine's before any
/// timing: a core whose product is wrong is dropped for the next one down.
/// </summary>
public static class PeerBlas
{
    /// <summary>Sizes of the product check (n×n·n×n), those the CPU bench times.</summary>
    public static readonly int[] CheckSizes = [256, 1024];

    /// <summary>Normwise relative error a peer's float32 product may have against the engine's.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// The OpenBLAS cores to force, best first, for a CPU with these /proc/cpuinfo flags: SkylakeX needs
    /// AVX-512 F, CD, BW, DQ and VL; Haswell needs AVX2 and FMA. Empty for older CPUs.
    /// </summary>
    public static IReadOnlyList<string> Candidates(IReadOnlySet<string> flags)
    {
        var cores = new List<string>();
        if (new[] { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" }.All(flags.Contains)) cores.Add("SkylakeX");
        if (flags.Contains("avx2") && flags.Contains("fma")) cores.Add("Haswell");
        return cores;
    }

    /// <summary>
    /// How wide an OpenBLAS core's float kernels are: 3 AVX-512 (SkylakeX, Cooperlake, SapphireRapids),
    /// 2 AVX2 + FMA (Haswell, Zen), 1 AVX (SandyBridge, Bulldozer family), 0 older or generic (Prescott…).
    /// </summary>
    public static int Tier(string? core) => core?.ToLowerInvariant() switch
    {
        "skylakex" or "cooperlake" or "sapphirerapids" => 3,
        "haswell" or "zen" => 2,
        "sandybridge" or "bulldozer" or "piledriver" or "steamroller" or "excavator" => 1,
        _ => 0,
    };

    /// <summary>The feature flags of the first CPU in /proc/cpuinfo (empty where there is none).</summary>
    public static IReadOnlySet<string> CpuFlags()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return (line?.Split(':', 2)[1] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        catch (IOException) { return new HashSet<string>(); }
    }

    /// <summary>The core a peer runs with, and the header line that says which kernel it is and how it was checked.</summary>
    public sealed record Choice(string? Core, string Description);

    /// <summary>
    /// Runs <paramref name="script"/> --check-only (it multiplies the engine's operands and says which
    /// BLAS kernel it ran) first with OPENBLAS_CORETYPE unset: when OpenBLAS's own pick is as wide as
    /// the CPU's flags allow and its product matches the engine's, it stays. Otherwise the cores of
    /// <see cref="Candidates"/> are forced in turn and the first whose product matches is taken.
    /// </summary>
    public static Choice Choose(string python, string script, string tag, int threads, string installHint)
    {
        string dir = Directory.CreateTempSubdirectory("engine-peer-check-").FullName;
        try
        {
            var engine = WriteOperands(dir);
            string[] args = ["--check-only", "--check-dir", dir, tag == "numpy" ? "--sizes" : "--check-sizes", string.Join(",", CheckSizes)];
            (JsonElement? Report, string? Error, double RelError) Check(string? core)
            {
                foreach (int n in CheckSizes) File.Delete(Path.Combine(dir, $"c{n}.{tag}.f32"));
                var report = PeerScript.Run(python, script, threads, args, installHint, out string? error, core);
                return (report, error, report is null ? double.PositiveInfinity : CheckSizes.Max(n => RelError(engine[n], Path.Combine(dir, $"c{n}.{tag}.f32"))));
            }
            string Matches(double err) => $"its A·B at {string.Join("³ and ", CheckSizes)}³ {(err <= Tolerance ? "matches" : "is off from")} the engine's by {err:E1} (normwise)";

            var own = Check(null);
            if (own.Report is null) return new Choice(null, $"peer check failed: {own.Error}");
            foreach (var missing in new[] { "numpy_missing", "missing" })
                if (own.Report.Value.TryGetProperty(missing, out var why)) return new Choice(null, why.GetString() ?? missing);
            string ownKernel = Kernel(own.Report.Value);
            if (!ownKernel.StartsWith("OpenBLAS", StringComparison.Ordinal)) return new Choice(null, $"{ownKernel}; {Matches(own.RelError)}");
            string? ownCore = CoreName(own.Report.Value);
            var candidates = Candidates(CpuFlags());
            int wanted = candidates.Count > 0 ? Tier(candidates[0]) : 0;
            if (own.RelError <= Tolerance && Tier(ownCore) >= wanted)
                return new Choice(null, $"{ownKernel}; OpenBLAS's own pick (OPENBLAS_CORETYPE unset), as wide as this CPU allows; {Matches(own.RelError)}");

            var notes = new List<string> { $"OpenBLAS alone picks {ownCore}{(own.RelError <= Tolerance ? "" : $", whose product is off by {own.RelError:E1}")}" };
            foreach (var core in candidates)
            {
                var forced = Check(core);
                if (forced.Report is JsonElement r && forced.RelError <= Tolerance)
                    return new Choice(core, $"{Kernel(r)}; OPENBLAS_CORETYPE={core} ({Why(core)}; {string.Join("; ", notes)}); {Matches(forced.RelError)}");
                notes.Add($"OPENBLAS_CORETYPE={core} dropped: {(forced.Report is null ? forced.Error : Matches(forced.RelError))}");
            }
            return own.RelError <= Tolerance
                ? new Choice(null, $"{ownKernel}; OpenBLAS's own pick ({string.Join("; ", notes)}); {Matches(own.RelError)}")
                : new Choice(null, "no OpenBLAS core gave a correct product: " + string.Join("; ", notes));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string? CoreName(JsonElement report) =>
        report.TryGetProperty("blas", out var blas) && blas.TryGetProperty("openblas_core", out var c) ? c.GetString() : null;

    private static string Why(string core) => core == "SkylakeX" ? "the CPU has AVX-512 F/CD/BW/DQ/VL" : "the CPU has AVX2 and FMA";

    /// <summary>"OpenBLAS kernel SkylakeX (…, 2 threads)" from the peer's "blas" report, or what it runs instead.</summary>
    public static string Kernel(JsonElement report)
    {
        if (!report.TryGetProperty("blas", out var blas)) return "BLAS unknown";
        if (blas.TryGetProperty("openblas_core", out var core) && core.ValueKind == JsonValueKind.String)
            return $"OpenBLAS kernel {core.GetString()} (as {blas.GetProperty("source").GetString()} reports; {blas.GetProperty("openblas_config").GetString()}, {blas.GetProperty("openblas_threads")} threads)";
        return $"BLAS is not OpenBLAS ({blas.GetProperty("libraries")}): the peer is the reference BLAS, not a fair one; `apt-get install libopenblas0-pthread` (make bench does it as root)";
    }

    /// <summary>Writes random float32 operands a&lt;n&gt;.f32, b&lt;n&gt;.f32 and returns the engine's products.</summary>
    private static Dictionary<int, float[]> WriteOperands(string dir)
    {
        var gen = new Generator(7);
        var products = new Dictionary<int, float[]>();
        foreach (int n in CheckSizes)
        {
            using var a = Tensor.Randn([n, n], generator: gen);
            using var b = Tensor.Randn([n, n], generator: gen);
            File.WriteAllBytes(Path.Combine(dir, $"a{n}.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.ToArray<float>().AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir, $"b{n}.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.ToArray<float>().AsSpan()).ToArray());
            using var c = a.MatMul(b);
            products[n] = c.ToArray<float>();
        }
        return products;
    }

    /// <summary>max |peer − engine| / max |engine| (a missing or short file counts as wrong).</summary>
    private static double RelError(float[] engine, string peerFile)
    {
        if (!File.Exists(peerFile)) return double.PositiveInfinity;
        var peer = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(peerFile)).ToArray();
        if (peer.Length != engine.Length) return double.PositiveInfinity;
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < engine.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)peer[i] - engine[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)engine[i]));
        }
        return double.IsNaN(maxDiff) ? double.PositiveInfinity : maxDiff / maxRef;
    }
}
