using Engine.Data;
using Engine.Kernels.Checks;

namespace Chapters;

/// <summary>`chapters op-map`: regenerates docs/op-map.md from the sources.</summary>
public sealed class OpMapCommand : Command
{
    public override string Name => "op-map";
    public override string Usage => "op-map";
    public override string Summary => "Rewrites docs/op-map.md: for every op of the op table, its CpuReference, CpuBackend and CudaBackend methods and CUDA kernels (file:line, found by reading the sources) and the op-suite cases that check it. Run from inside the repository.";

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        if (args.Count != 0) return Cli.Fail("usage: chapters " + Usage);
        string root = DataFolder.FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? DataFolder.FindRepositoryRoot(AppContext.BaseDirectory)
            ?? throw new DirectoryNotFoundException("op-map: no Engine.sln above the current folder; run it inside the repository.");
        var missing = OpMap.MissingKernels(root);
        if (missing.Count > 0) return Cli.Fail($"op-map: kernels named by op-suite cases but not found in kernels.cu or kernels/*.cu: {string.Join(", ", missing)}");
        string path = Path.Combine(root, OpMap.RelativePath);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, OpMap.Generate(root));
        File.Move(tmp, path, overwrite: true);
        Console.WriteLine($"wrote {OpMap.RelativePath}");
        return 0;
    }
}
