using System.Text.RegularExpressions;

namespace Engine.Kernels.Checks;

internal static partial class OpMap
{
    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?([\w#]+)\s*\(")]
    private static partial Regex KernelDecl();

    [GeneratedRegex(@"^\s*#\s*define\s+(\w+)\(([^)]*)\)")]
    private static partial Regex MacroDecl();

    /// <summary>
    /// Every kernel of kernels.cu and kernels/*.cu (any .cu file under the repository root and kernels/):
    /// plain <c>extern "C" __global__ void name(</c> declarations, and names pasted inside a
    /// <c>#define MACRO(a, b, …)</c> (e.g. <c>cast_##ss##_##ds</c>) expanded once per invocation
    /// <c>MACRO(f32, f64, …)</c> at the start of a line. The location is the line that writes the kernel.
    /// </summary>
    public static Dictionary<string, KernelSite> FindKernels(string root)
    {
        var files = Directory.EnumerateFiles(root, "*.cu", SearchOption.TopDirectoryOnly)
            .Concat(Directory.Exists(Path.Combine(root, "kernels")) ? Directory.EnumerateFiles(Path.Combine(root, "kernels"), "*.cu", SearchOption.AllDirectories) : [])
            .Select(f => (Path: Rel(root, f), Lines: File.ReadAllLines(f)))
            .OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var found = new Dictionary<string, KernelSite>();
        // Macros: name → (parameters, [(template, location)]).
        var macros = new Dictionary<string, (string[] Params, List<(string Template, string Location)> Kernels)>();
        foreach (var (path, lines) in files)
        {
            (string[] Params, List<(string, string)> Kernels)? open = null;
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (MacroDecl().Match(line) is { Success: true } md)
                {
                    open = (md.Groups[2].Value.Split(',').Select(p => p.Trim()).ToArray(), []);
                    macros[md.Groups[1].Value] = open.Value;
                }
                foreach (Match k in KernelDecl().Matches(line))
                {
                    string name = k.Groups[1].Value;
                    if (name.Contains("##", StringComparison.Ordinal)) open?.Kernels.Add((name, $"{path}:{i + 1}"));
                    else found.TryAdd(name, new KernelSite(name, $"{path}:{i + 1}"));
                }
                if (!line.TrimEnd().EndsWith('\\')) open = null;
            }
        }
        foreach (var (path, lines) in files)
            foreach (var line in lines)
            {
                var call = Regex.Match(line, @"^(\w+)\((.*)\)\s*;?\s*$");
                if (!call.Success || !macros.TryGetValue(call.Groups[1].Value, out var macro)) continue;
                var args = SplitArgs(call.Groups[2].Value);
                foreach (var (template, location) in macro.Kernels)
                {
                    string name = template;
                    for (int p = 0; p < macro.Params.Length && p < args.Count; p++)
                        name = Regex.Replace(name, $@"(^|##){Regex.Escape(macro.Params[p])}(##|$)", m => m.Groups[1].Value + args[p] + m.Groups[2].Value);
                    name = name.Replace("##", "", StringComparison.Ordinal);
                    found.TryAdd(name, new KernelSite(name, location));
                }
            }
        return found;
    }

    /// <summary>Splits a macro call's arguments at top-level commas (commas inside parentheses stay).</summary>
    private static List<string> SplitArgs(string text)
    {
        var args = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0) { args.Add(text[start..i].Trim()); start = i + 1; }
        }
        args.Add(text[start..].Trim());
        return args;
    }
}
