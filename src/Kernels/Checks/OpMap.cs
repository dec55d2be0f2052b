using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Engine.Kernels.Checks;

/// <summary>
/// Writes docs/op-map.md: for every op of <see cref="IBackend"/>, where it is implemented — CpuReference,
/// the fast CpuBackend, the CudaBackend launch and its CUDA kernels — and which op-suite cases check it.
/// Everything is found by reading the sources, never by file name: C# files by the partial class they
/// declare and the method <c>public void Op(</c>; kernels by their <c>extern "C"</c> name in kernels.cu and
/// kernels/*.cu, including names pasted by macros (<c>unary_##op##_f32</c> with <c>DEFINE_UNARY(exp, …)</c>).
/// `chapters op-map` writes the file; a test regenerates it and fails when the committed one is stale.
/// </summary>
internal static partial class OpMap
{
    /// <summary>The command that rewrites docs/op-map.md.</summary>
    public const string Command = "dotnet run --project src/Chapters -c Release -- op-map";

    /// <summary>Path of the map, relative to the repository root.</summary>
    public const string RelativePath = "docs/op-map.md";

    /// <summary>IBackend methods that move memory rather than compute (left out of the map).</summary>
    private static readonly string[] NotOps = ["Allocate", "AllocateUninitialized", "CopyFromHost", "CopyToHost", "Synchronize"];

    /// <summary>The ops of the table, in declaration order (IBackend's methods without the memory ones and property getters).</summary>
    public static IReadOnlyList<MethodInfo> Ops() => typeof(IBackend).GetMethods()
        .Where(m => !m.IsSpecialName && !NotOps.Contains(m.Name))
        .OrderBy(m => m.MetadataToken).ToList();

    /// <summary>The op a case checks: the first word of its name ("Binary.Add float32 …" → Binary).</summary>
    public static string OpOf(OpCase c) => c.Name.Split(' ', '.')[0];

    /// <summary>A kernel found in the CUDA sources: where its body is written.</summary>
    public sealed record KernelSite(string Name, string Location);

    /// <summary>The map as markdown, from the sources under <paramref name="root"/>.</summary>
    public static string Generate(string root)
    {
        var csFiles = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: Rel(root, f), Lines: File.ReadAllLines(f)))
            .OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var reference = MethodSites(csFiles, "CpuReference");
        var fast = MethodSites(csFiles, "CpuBackend");
        var cuda = MethodSites(csFiles, "CudaBackend");
        var kernels = FindKernels(root);
        var cases = OpCases.All();
        var caseFiles = csFiles.Where(f => f.Lines.Any(l => l.Contains("partial class OpCases", StringComparison.Ordinal))).ToList();

        var sb = new StringBuilder();
        sb.AppendLine("# Op map");
        sb.AppendLine();
        sb.AppendLine("Every op of the op table (`IBackend`, src/Engine/Backends/IBackend.cs): the plain reference (`CpuReference`, the");
        sb.AppendLine("oracle), the fast CPU path (`CpuBackend`), the CUDA backend's launch and the kernels it launches, and the");
        sb.AppendLine("op-suite cases (`OpCases`) that check it: CpuReference against each case's formula, CpuBackend, the");
        sb.AppendLine("CUDA kernels (the op suite on a GPU, `chapters gpu-check --quick`) and their host emulation against CpuReference");
        sb.AppendLine("(the large sizes of `chapters gpu-check` against CpuBackend: docs/gpu.md).");
        sb.AppendLine();
        sb.AppendLine($"Generated from the sources by `{Command}`; a test fails when this file is stale.");
        sb.AppendLine();
        sb.AppendLine("| op | reference | fast CPU | CUDA launch | CUDA kernels | op-suite cases |");
        sb.AppendLine("|---|---|---|---|---|---|");
        foreach (var op in Ops())
        {
            string name = op.Name;
            var opCases = cases.Where(c => OpOf(c) == name).ToList();
            var names = opCases.SelectMany(c => c.Kernel.Split(" + ")).Distinct().ToList();
            string kernelCell = string.Join(", ", Pairs(names).Select(k => KernelCell(k, kernels)));
            string caseSite = caseFiles.SelectMany(f => f.Lines.Select((l, i) => (f.Path, Line: i + 1, Text: l)))
                .FirstOrDefault(x => x.Text.Contains($"b.{name}(", StringComparison.Ordinal)) is { Path: not null } site ? $"{site.Path}:{site.Line}" : "—";
            sb.AppendLine($"| {name} | {Cell(reference, name)} | {Cell(fast, name)} | {Cell(cuda, name)} | {(kernelCell.Length == 0 ? "—" : kernelCell)} | {opCases.Count} ({caseSite}) |");
        }
        sb.AppendLine();
        sb.AppendLine("A kernel name ending in `_f32/f64` stands for the float32 kernel and its float64 twin (the location is the float32 one's).");
        sb.AppendLine("Names starting with `cu` are CUDA driver or cuBLAS calls, not kernels of this repository.");
        return sb.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>Kernel names that the op's cases name but no CUDA source defines (should be empty).</summary>
    public static IReadOnlyList<string> MissingKernels(string root)
    {
        var kernels = FindKernels(root);
        return OpCases.All().SelectMany(c => c.Kernel.Split(" + ")).Distinct()
            .Where(k => !k.StartsWith("cu", StringComparison.Ordinal) && !kernels.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
    }

    private static string Cell(Dictionary<string, string> sites, string op) => sites.TryGetValue(op, out var s) ? s : "—";

    private static string Rel(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    /// <summary>"relu_backward_f32" and "relu_backward_f64" → "relu_backward_f32/f64"; others unchanged.</summary>
    private static IEnumerable<(string Shown, string Lookup)> Pairs(List<string> names)
    {
        foreach (var n in names)
        {
            if (n.EndsWith("_f64", StringComparison.Ordinal) && names.Contains(n[..^4] + "_f32")) continue;
            if (n.EndsWith("_f32", StringComparison.Ordinal) && names.Contains(n[..^4] + "_f64")) yield return (n + "/f64", n);
            else yield return (n, n);
        }
    }

    private static string KernelCell((string Shown, string Lookup) k, Dictionary<string, KernelSite> kernels) =>
        k.Lookup.StartsWith("cu", StringComparison.Ordinal) ? $"`{k.Shown}`"
        : kernels.TryGetValue(k.Lookup, out var site) ? $"`{k.Shown}` ({site.Location})" : $"`{k.Shown}` (not found)";

    /// <summary>op name → "path:line" of <c>public void Op(</c> in the files that declare <c>partial class {type}</c> (first by path; modifiers such as unsafe allowed).</summary>
    private static Dictionary<string, string> MethodSites(List<(string Path, string[] Lines)> files, string type)
    {
        var sites = new Dictionary<string, string>();
        var declares = new Regex($@"\bpartial\s+class\s+{type}\b");
        var method = new Regex(@"^\s*public\s+(?:(?:unsafe|override|virtual|sealed|new)\s+)*void\s+(\w+)\s*\(");
        foreach (var (path, lines) in files.Where(f => f.Lines.Any(l => declares.IsMatch(l))))
            for (int i = 0; i < lines.Length; i++)
                if (method.Match(lines[i]) is { Success: true } m) sites.TryAdd(m.Groups[1].Value, $"{path}:{i + 1}");
        return sites;
    }
}
