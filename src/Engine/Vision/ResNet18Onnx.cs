using System.Reflection;
using Engine.IO.Onnx;

namespace Engine.Vision;

/// <summary>
/// The ImageNet ResNet18 of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (a CNTK
/// ResNet with [2, 2, 2, 2] basic blocks exported to ONNX): input <see cref="InputName"/>
/// 1×3×224×224, output <see cref="OutputName"/> 1×512×1×1 (the pooled features, no classifier head).
/// The package is restored with the solution (a PackageDownload in Engine.csproj); the file is found
/// in the NuGet package folder, never downloaded at run time.
/// </summary>
public static class ResNet18Onnx
{
    /// <summary>The package and version that ship the model.</summary>
    public const string PackageId = "microsoft.ml.dnnimagefeaturizer.resnet18", PackageVersion = "0.23.1";

    /// <summary>The graph input (1×3×224×224).</summary>
    public const string InputName = "Input247";

    /// <summary>The graph output (1×512×1×1).</summary>
    public const string OutputName = "Pooling395_Output_0";

    /// <summary>Path of ResNet18.onnx; throws FileNotFoundException saying how to restore it when absent.</summary>
    public static string ModelPath => Find("ResNet18Onnx/ResNet18.onnx");

    /// <summary>Path of ResNetPreprocess.onnx (the package's preprocessing graph).</summary>
    public static string PreprocessPath => Find("ResNetPrepOnnx/ResNetPreprocess.onnx");

    /// <summary>True when the model file is in the NuGet package folder.</summary>
    public static bool IsAvailable => Candidates("ResNet18Onnx/ResNet18.onnx").Any(File.Exists);

    /// <summary>Loads the model (eval mode, on the CPU).</summary>
    public static OnnxModel Load() => OnnxModel.Load(ModelPath);

    private static string Find(string file) =>
        Candidates(file).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"ResNet18Onnx: {file} of NuGet package {PackageId} {PackageVersion} is not in the package folder (looked in: {string.Join(", ", Candidates(file))}). Run `make setup` (dotnet restore Engine.sln) to restore it.");

    /// <summary>The package folder recorded at build time, then $NUGET_PACKAGES, then ~/.nuget/packages.</summary>
    private static IEnumerable<string> Candidates(string file)
    {
        var roots = new List<string>();
        var built = typeof(ResNet18Onnx).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (!string.IsNullOrEmpty(built)) roots.Add(built);
        var env = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(env)) roots.Add(env);
        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        return roots.Distinct().Select(r => Path.Combine(r, PackageId, PackageVersion, "tools", "DnnImageModels", file));
    }
}
