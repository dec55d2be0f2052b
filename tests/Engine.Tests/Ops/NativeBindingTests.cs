using System.Reflection;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Engine.Kernels.Native;

namespace Engine.Tests.Ops;

/// <summary>
/// The hand-written bindings against the libraries installed here: every entry point that
/// CudaDriver, CuBlasNative and NvrtcNative import must be exported (a typo would only show on the GPU machine).
/// </summary>
[TestFixture]
public sealed class NativeBindingTests
{
    [TestCase(typeof(CudaDriver), CudaDriver.Library)]
    [TestCase(typeof(CuBlasNative), CuBlasNative.Library)]
    [TestCase(typeof(NvrtcNative), NvrtcNative.Library)]
    public void EveryImportedFunctionIsExported(Type binding, string library)
    {
        IntPtr handle = NativeLibraries.TryLoad(library, out string detail);
        if (handle == IntPtr.Zero) Assert.Ignore($"{library}: {detail}");
        var names = binding.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint ?? m.Name)
            .ToList();
        Assert.That(names, Is.Not.Empty);
        var missing = names.Where(n => !NativeLibrary.TryGetExport(handle, n, out _)).ToList();
        Assert.That(missing, Is.Empty, $"not exported by {detail}");
    }
}
