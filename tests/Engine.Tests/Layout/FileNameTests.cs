using System.Text.RegularExpressions;
using Chapters;
using NUnit.Framework;

namespace Engine.Tests.Layout;

/// <summary>
/// A learner finds a type by its file name: every .cs file under src/ declares a type named as the file
/// (`StepLR.cs` holds `StepLR`), or is one part of a partial type (`Tensor.Grad.cs` holds part of `Tensor`).
/// One top-level type per file. Exercise classes carry the book's section id (`Ex24_5_TwoLayerNet` runs `chapters run 24.5`).
/// </summary>
public sealed class FileNameTests
{
    /// <summary>Files another part of the project owns that still hold several types; each must still exist and still break the rule.</summary>
    private static readonly string[] Known =
    [
        "src/Kernels/KernelStructs.cs", // BroadcastArgs, PermutationArgs, ConvArgs: the kernel launch structs
    ];

    [Test]
    public void EverySourceFileDeclaresTheTypeOfItsName()
    {
        string root = Path.GetDirectoryName(Fixtures.File("Engine.sln"))!;
        var bad = SourceFiles(Path.Combine(root, "src"))
            .Where(f => !DeclaresTypeOfFileName(Path.GetFileName(f), File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.That(bad.Except(Known), Is.Empty, "files whose name is not the type they declare (rename the file or the type)");
        Assert.That(Known.Except(bad), Is.Empty, "listed as known exceptions but now fine or gone: drop them from Known");
    }

    /// <summary>Files another part of the project owns that still declare more than one top-level type.</summary>
    private static readonly string[] KnownMany =
    [
        "src/Engine/Backends/Gemm.Kernels.cs", // GemmKernel beside the Gemm part
        "src/Engine/Layers/TensorBoard.cs", // EventProto, Crc32C: the event-file writer's helpers
        "src/Engine/Tensors/DeviceRegistry.cs", // ICudaProvider, DeviceUnavailableException
        "src/Engine/Tensors/Storage.cs", // CpuStorage, CpuMemory, CpuArrayPool
        "src/Kernels/Checks/OpCase.cs", // OpKind
        "src/Kernels/CudaKernel.cs", // IDevicePointer
        "src/Kernels/KernelStructs.cs", // BroadcastArgs, PermutationArgs, ConvArgs
    ];

    [Test]
    public void EverySourceFileDeclaresOneTopLevelType()
    {
        string root = Path.GetDirectoryName(Fixtures.File("Engine.sln"))!;
        var many = SourceFiles(Path.Combine(root, "src"))
            .Where(f => TopLevelTypes(File.ReadAllText(f)).Count > 1)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.That(many.Except(KnownMany), Is.Empty, "files with more than one top-level type (one public type per file)");
        Assert.That(KnownMany.Except(many), Is.Empty, "listed in KnownMany but now fine or gone: drop them from KnownMany");
    }

    [Test]
    public void TopLevelTypesSkipsNestedTypes()
    {
        Assert.That(TopLevelTypes("namespace A;\npublic enum E { X }\npublic sealed class C\n{\n    private sealed class Inner { }\n}\n"), Is.EqualTo(new[] { "E", "C" }));
        Assert.That(TopLevelTypes("namespace A\n{\n    public static class Cli\n    {\n        private record R();\n    }\n}\n"), Is.EqualTo(new[] { "Cli" }));
    }

    [Test]
    public void TheRuleAcceptsTypesAndPartsAndRejectsOthers()
    {
        Assert.That(DeclaresTypeOfFileName("StepLR.cs", "public sealed class StepLR : LRScheduler {}"), Is.True);
        Assert.That(DeclaresTypeOfFileName("Tensor.Grad.cs", "public sealed partial class Tensor {}"), Is.True);
        Assert.That(DeclaresTypeOfFileName("UnaryOp.cs", "public enum UnaryOp { Neg }"), Is.True);
        Assert.That(DeclaresTypeOfFileName("Backbone.cs", "internal sealed record Backbone(string Name);"), Is.True);
        Assert.That(DeclaresTypeOfFileName("Program.cs", "var app = Builder.Create(args);\napp.Run();"), Is.True);
        Assert.That(DeclaresTypeOfFileName("SchedulersStepLR.cs", "public sealed class StepLR {}"), Is.False);
        Assert.That(DeclaresTypeOfFileName("Program.cs", "public static class Cli {}"), Is.False);
        Assert.That(DeclaresTypeOfFileName("Ops.cs", "public enum UnaryOp {}\npublic enum BinaryOp {}"), Is.False);
        Assert.That(DeclaresTypeOfFileName("Relu.cs", "// class Relu\npublic sealed class ReluLayer {}"), Is.False);
    }

    [Test]
    public void ExerciseClassesAreNamedByTheirId()
    {
        foreach (var e in ExerciseCatalog.All)
        {
            string prefix = "Ex" + e.Id.Replace('.', '_') + "_";
            Assert.That(e.GetType().Name, Does.StartWith(prefix), $"exercise {e.Id}");
            string chapter = "Ch" + e.Id.Split('.')[0];
            Assert.That(e.GetType().Namespace, Is.EqualTo("Chapters." + chapter), $"exercise {e.Id} lives in src/Chapters/{chapter}");
        }
    }

    /// <summary>
    /// True when the text declares a class, struct, record, interface, enum or delegate named as the file
    /// (the part before the first dot: `Tensor.Grad.cs` → `Tensor`), or the file is a `Program.cs` of
    /// top-level statements (the compiler's `Program`).
    /// </summary>
    internal static bool DeclaresTypeOfFileName(string fileName, string text)
    {
        string code = Regex.Replace(text, @"//.*|/\*[\s\S]*?\*/", "");
        string name = fileName.Split('.')[0];
        var declaration = new Regex(
            @"^\s*(?:(?:public|internal|static|sealed|abstract|partial|readonly|unsafe|file|ref)\s+)*" +
            @"(?:class|struct|record(?:\s+struct|\s+class)?|interface|enum|delegate\s+[\w<>\[\],?\s]+?)\s+" + Regex.Escape(name) + @"\b",
            RegexOptions.Multiline);
        if (declaration.IsMatch(code)) return true;
        bool declaresAnyType = Regex.IsMatch(code, @"^\s*(?:[\w]+\s+)*(?:class|struct|record|interface|enum)\s+\w+", RegexOptions.Multiline);
        return fileName == "Program.cs" && !declaresAnyType;
    }

    /// <summary>
    /// The types a file declares at namespace level: column 0 under a file-scoped namespace (or none),
    /// four spaces in under a block-scoped one.
    /// </summary>
    internal static List<string> TopLevelTypes(string text)
    {
        string code = Regex.Replace(text, @"//.*|/\*[\s\S]*?\*/", "");
        string indent = Regex.IsMatch(code, @"^namespace [\w.]+\s*\{", RegexOptions.Multiline) ? "    " : "";
        var declaration = new Regex(
            "^" + indent + @"(?:(?:public|internal|static|sealed|abstract|partial|readonly|unsafe|file|ref)\s+)*" +
            @"(?:class|struct|record(?:\s+struct|\s+class)?|interface|enum)\s+(\w+)",
            RegexOptions.Multiline);
        return declaration.Matches(code).Select(m => m.Groups[1].Value).ToList();
    }

    private static IEnumerable<string> SourceFiles(string dir) =>
        Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"));
}
