using System.Diagnostics;
using System.Globalization;
using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Package;

/// <summary>
/// `dotnet pack` makes the Engine and Engine.Kernels packages, and a project outside the repository
/// that references them from a local folder (no project references, nothing else on the feed)
/// restores, builds and runs README's example — the same code block ReadmeExampleTests runs in-process.
/// </summary>
[NonParallelizable]
public class PackageTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Test]
    public void PackagesTrainTheReadmeExampleOutsideTheRepository()
    {
        string root = DataFolder.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Engine.sln not found above the test binaries.");
        string dir = Directory.CreateTempSubdirectory("engine-package-test-").FullName;
        try
        {
            string feed = Path.Combine(dir, "feed");
            var (code, output) = Dotnet(root, dir, "pack", Path.Combine(root, "Engine.sln"), "-c", Configuration, "--no-build", "-nologo", "-o", feed);
            Assert.That(code, Is.Zero, "dotnet pack:\n" + output);
            var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
            Assert.That(packages, Is.EqualTo(new[] { "Engine.0.1.0.nupkg", "Engine.Kernels.0.1.0.nupkg" }), "only the two libraries are packed");

            string app = Path.Combine(dir, "app");
            Directory.CreateDirectory(app);
            // The engine's own dependencies (PureHDF, Google.Protobuf, …) come from this machine's NuGet cache, read as a
            // local feed: the test needs no registry, and Engine/Engine.Kernels can only come from the packages just packed.
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env ? env
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            File.WriteAllText(Path.Combine(dir, "NuGet.config"),
                $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /><add key=\"cache\" value=\"{cache}\" /></packageSources>" +
                "<packageSourceMapping><packageSource key=\"local\"><package pattern=\"Engine\" /><package pattern=\"Engine.*\" /></packageSource>" +
                "<packageSource key=\"cache\"><package pattern=\"*\" /></packageSource></packageSourceMapping></configuration>");
            File.WriteAllText(Path.Combine(app, "app.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Engine" Version="0.1.0" />
                    <PackageReference Include="Engine.Kernels" Version="0.1.0" />
                  </ItemGroup>
                </Project>
                """);
            string readme = File.ReadAllText(Path.Combine(root, "README.md"));
            string example = readme.Split("```csharp\n")[1].Split("```")[0];
            File.WriteAllText(Path.Combine(app, "Program.cs"),
                "using Engine;\nusing Engine.Data;\nusing Engine.Nn;\nusing Engine.Optim;\nusing Engine.Scratch;\n\n" + example +
                "\nConsole.WriteLine(FormattableString.Invariant($\"RESULT {accuracy} {mse.Forward(model.Forward(xs), ys).Item()} {string.Join(' ', w.ToDoubleArray())}\"));\n");

            (code, output) = Dotnet(root, app, "run", "-c", "Release", "-nologo");
            Assert.That(code, Is.Zero, "dotnet run of the package consumer:\n" + output);
            string result = output.Split('\n').Last(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            var v = result.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.That(v[0], Is.GreaterThan(0.85), "600 SGD steps of the TwoLayerNet");
            Assert.That(v[1], Is.LessThan(0.05), "Sequential + Adam fit");
            Assert.That(v[2..], Is.EqualTo(new[] { 1.0, -2, 3 }).Within(1e-3), "autograd linear fit");
            Assert.That(File.Exists(Path.Combine(dir, "packages", "engine", "0.1.0", "lib", "net10.0", "Engine.dll")), "Engine came from the package");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs dotnet in <paramref name="cwd"/> with a private package cache under the test folder and the repository's data.</summary>
    private static (int Code, string Output) Dotnet(string root, string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        string dir = cwd.EndsWith("/app", StringComparison.Ordinal) ? Path.GetDirectoryName(cwd)! : cwd;
        psi.Environment["NUGET_PACKAGES"] = Path.Combine(dir, "packages"); // a fresh cache: the packages just packed, never a stale copy
        psi.Environment["ENGINE_DATA"] = DataFolder.Resolve();
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var inherited in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            psi.Environment.Remove(inherited);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(entireProcessTree: true); return (-1, stdout + "\n(timed out after 10 minutes)"); }
        return (p.ExitCode, stdout + stderr.Result);
    }
}
