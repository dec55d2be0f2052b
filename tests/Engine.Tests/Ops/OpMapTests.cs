using NUnit.Framework;
using Engine.Data;
using Engine.Kernels.Checks;

namespace Engine.Tests.Ops;

/// <summary>docs/op-map.md is what the generator makes from today's sources, and every op and kernel is found in them.</summary>
[TestFixture]
public sealed class OpMapTests
{
    private static string Root => DataFolder.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Engine.sln not found above the test binaries.");

    [Test]
    public void CommittedOpMapIsUpToDate()
    {
        string path = Path.Combine(Root, OpMap.RelativePath);
        Assert.That(File.Exists(path), Is.True, $"{OpMap.RelativePath} is missing; run `{OpMap.Command}`");
        string committed = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.That(committed, Is.EqualTo(OpMap.Generate(Root)), $"{OpMap.RelativePath} is stale; run `{OpMap.Command}` and commit it");
    }

    [Test]
    public void EveryOpIsFoundInEveryBackendAndEveryKernelInTheCudaSources()
    {
        string map = OpMap.Generate(Root);
        foreach (var op in OpMap.Ops())
        {
            string row = map.Split('\n').Single(l => l.StartsWith($"| {op.Name} |", StringComparison.Ordinal));
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            Assert.That(cells[2], Does.StartWith("src/").And.Contains(".cs:"), $"{op.Name}: no CpuReference method");
            Assert.That(cells[3], Does.StartWith("src/").And.Contains(".cs:"), $"{op.Name}: no CpuBackend method");
            Assert.That(cells[4], Does.StartWith("src/").And.Contains(".cs:"), $"{op.Name}: no CudaBackend method");
            Assert.That(cells[6], Does.Not.StartWith("0 "), $"{op.Name}: no op-suite case");
        }
        Assert.That(OpMap.MissingKernels(Root), Is.Empty, "kernels named by op-suite cases but defined nowhere in kernels.cu or kernels/*.cu");
    }

    [Test]
    public void MacroPastedKernelNamesAreExpanded()
    {
        var kernels = OpMap.FindKernels(Root);
        // unary_##op##_f32 in DEFINE_UNARY with DEFINE_UNARY(exp, …), and cast_##ss##_##ds with two pasted parameters.
        Assert.That(kernels.Keys, Does.Contain("unary_exp_f32").And.Contain("cast_f32_i32").And.Contain("relu_backward_f64"));
        Assert.That(kernels.Keys.Where(k => k.Contains('#', StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void KernelsAreFoundByNameWhateverTheFilesAreCalled()
    {
        string root = Path.Combine(Path.GetTempPath(), $"engine-opmap-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(root, "kernels", "family"));
        try
        {
            File.WriteAllText(Path.Combine(root, "kernels.cu"), "#include \"kernels/family/renamed.cu\"\n");
            File.WriteAllLines(Path.Combine(root, "kernels", "family", "renamed.cu"),
            [
                "extern \"C\" __global__ void __launch_bounds__(256) plain_f32(const float* x) { }",
                "#define DEFINE_TWO(sfx, T, kind) \\",
                "extern \"C\" __global__ void two_##kind##_##sfx(const T* x) { } \\",
                "extern \"C\" __global__ void other_##sfx(const T* x) { }",
                "DEFINE_TWO(f64, double, fast)",
                "DEFINE_TWO(f32, float, min(a, b))",
            ]);
            var k = OpMap.FindKernels(root);
            Assert.That(k["plain_f32"].Location, Is.EqualTo("kernels/family/renamed.cu:1"));
            Assert.That(k["two_fast_f64"].Location, Is.EqualTo("kernels/family/renamed.cu:3"));
            Assert.That(k["other_f32"].Location, Is.EqualTo("kernels/family/renamed.cu:4"));
            Assert.That(k.Keys, Does.Contain("two_min(a, b)_f32"), "arguments split at top-level commas only");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
