using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests.Layout;

/// <summary>
/// `make device-bundle` publishes chapters with -p:EngineWeb=false -p:EngineOrt=false, which drop the files
/// Chapters.csproj removes under those conditions (`serve` with ASP.NET Core, `bench resnet18` with ONNX Runtime), so the
/// bundle and the tracked tree stay under the device tool's 64 MiB. The build that keeps them is the one `make test` runs, so this checks
/// what the other build needs: no kept file uses those libraries or a type of a removed file (named as its file).
/// </summary>
public sealed class DeviceBundleTests
{
    private static readonly string[] LeftOutLibraries = ["Microsoft.AspNetCore", "Microsoft.Extensions", "Microsoft.ML.OnnxRuntime"];

    [Test]
    public void TheBundleBuildLeavesOutEveryFileThatNeedsAspNetCoreOrOnnxRuntime()
    {
        string root = Path.GetDirectoryName(Fixtures.File("Engine.sln"))!;
        string chapters = Path.Combine(root, "src", "Chapters");
        string project = File.ReadAllText(Path.Combine(chapters, "Chapters.csproj"));
        var patterns = Regex.Matches(project, "<Compile Remove=\"([^\"]+)\"").SelectMany(m => m.Groups[1].Value.Split(';')).ToList();
        Assert.That(patterns, Does.Contain("Serve/**").And.Contain("Bench/ResNet18Bench.cs"), "Chapters.csproj's bundle-only removals");
        Assert.That(File.ReadAllText(Path.Combine(root, "Makefile")), Does.Contain("-p:EngineWeb=false -p:EngineOrt=false"));

        bool LeftOut(string relative) => patterns.Any(p => p.EndsWith("/**", StringComparison.Ordinal)
            ? relative.StartsWith(p[..^2], StringComparison.Ordinal) : relative == p);
        var files = Directory.EnumerateFiles(chapters, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(chapters, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .ToList();
        var leftOut = files.Where(LeftOut).ToList();
        var leftOutTypes = leftOut.Select(f => Path.GetFileNameWithoutExtension(f)).ToList();
        Assert.That(leftOut, Does.Contain("Bench/ConvNodeTimes.cs").And.Contain("Serve/WebServer.cs"));

        var bad = new List<string>();
        foreach (var file in files.Except(leftOut))
        {
            string text = File.ReadAllText(Path.Combine(chapters, file));
            bad.AddRange(LeftOutLibraries.Where(text.Contains).Select(lib => $"{file} uses {lib}"));
            bad.AddRange(leftOutTypes.Where(t => Regex.IsMatch(text, $@"\b{t}\b")).Select(t => $"{file} uses {t}"));
        }
        Assert.That(bad, Is.Empty, "kept in the bundle but needing what it leaves out: remove the file in Chapters.csproj under the same condition");
    }
}
