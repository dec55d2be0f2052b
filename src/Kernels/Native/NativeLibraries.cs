using System.Reflection;
using System.Runtime.InteropServices;

namespace Engine.Kernels.Native;

/// <summary>
/// Finds the CUDA libraries: "cuda" → libcuda.so.1 (the driver; ENGINE_CUDA_DRIVER names an exact file
/// instead, e.g. the host emulation of kernels.cu that KernelEmulationTests builds), "cublas" and "nvrtc" → the newest
/// of .so.13/.12/.11 (NVRTC 11: .so.11.2) on the loader path, in $CUDA_HOME/lib64 or /usr/local/cuda/lib64
/// (ENGINE_CUBLAS / ENGINE_NVRTC name an exact file); "nccl" → libnccl.so.2 the same way
/// (ENGINE_NCCL_LIBRARY names an exact file, e.g. the one in PyTorch's nvidia-nccl wheel).
/// </summary>
internal static class NativeLibraries
{
    private static readonly Dictionary<string, IntPtr> Loaded = new();
    private static readonly Dictionary<string, string> Found = new();

    internal static void Install() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name is CudaDriver.Library or CuBlasNative.Library or NvrtcNative.Library or NcclNative.Library ? TryLoad(name, out _) : IntPtr.Zero;

    /// <summary>Candidate file names for a logical library name, best first.</summary>
    internal static IEnumerable<string> Candidates(string name)
    {
        if (name == CudaDriver.Library)
        {
            if (Environment.GetEnvironmentVariable("ENGINE_CUDA_DRIVER") is { Length: > 0 } driver)
            {
                yield return driver;
                yield break;
            }
            yield return "libcuda.so.1";
            yield return "libcuda.so";
            yield break;
        }
        string? exact = Environment.GetEnvironmentVariable(name switch
        {
            CuBlasNative.Library => "ENGINE_CUBLAS",
            NcclNative.Library => "ENGINE_NCCL_LIBRARY",
            _ => "ENGINE_NVRTC",
        });
        if (!string.IsNullOrEmpty(exact)) yield return exact;
        string stem = name switch { CuBlasNative.Library => "libcublas.so", NcclNative.Library => "libnccl.so", _ => "libnvrtc.so" };
        // CUDA 11.x ships NVRTC as libnvrtc.so.11.2 (its soname for every 11.2+ release), not .11.
        string[] versions = name switch
        {
            NcclNative.Library => [".2", ""],
            NvrtcNative.Library => [".13", ".12", ".11.2", ".11", ""],
            _ => [".13", ".12", ".11", ""],
        };
        foreach (var v in versions) yield return stem + v;
        var dirs = new List<string>();
        foreach (var env in new[] { "CUDA_HOME", "CUDA_PATH" })
            if (Environment.GetEnvironmentVariable(env) is { Length: > 0 } home) dirs.Add(Path.Combine(home, "lib64"));
        dirs.Add("/usr/local/cuda/lib64");
        dirs.Add("/usr/lib/x86_64-linux-gnu");
        foreach (var dir in dirs)
            foreach (var v in versions) yield return Path.Combine(dir, stem + v);
    }

    /// <summary>Forgets the lookup of <paramref name="name"/> so the next one searches again (the NCCL binding test points ENGINE_NCCL_LIBRARY at a stub).</summary>
    internal static void Forget(string name)
    {
        lock (Loaded)
        {
            Loaded.Remove(name);
            Found.Remove(name);
        }
    }

    /// <summary>Loads a library (once); IntPtr.Zero and the names tried when it is not there.</summary>
    internal static IntPtr TryLoad(string name, out string detail)
    {
        lock (Loaded)
        {
            if (Loaded.TryGetValue(name, out var handle))
            {
                detail = Found.GetValueOrDefault(name, "");
                return handle;
            }
            var tried = new List<string>();
            foreach (var candidate in Candidates(name))
            {
                tried.Add(candidate);
                if (NativeLibrary.TryLoad(candidate, out handle))
                {
                    Loaded[name] = handle;
                    Found[name] = detail = candidate;
                    return handle;
                }
            }
            Loaded[name] = IntPtr.Zero;
            Found[name] = detail = "not found (tried " + string.Join(", ", tried.Distinct().Take(6)) + ", …)";
            return IntPtr.Zero;
        }
    }
}
