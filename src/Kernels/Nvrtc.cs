using System.Text;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// Run-time compilation of kernels.cu with NVRTC (the fallback when `make ptx` was not run). For the card
/// at hand it asks for a cubin (sm_XX machine code, nvrtcGetCUBIN), which the driver loads whatever its
/// version: PTX from an NVRTC newer than the driver would be refused (CUDA_ERROR_UNSUPPORTED_PTX_VERSION).
/// When this NVRTC does not know the card, it falls back to PTX for the newest architecture it knows,
/// which the driver compiles for the card.
/// </summary>
public static class Nvrtc
{
    /// <summary>NVRTC_ERROR_INVALID_OPTION: what nvrtcCompileProgram returns for an architecture it does not know.</summary>
    private const int InvalidOption = 5;

    /// <summary>True when libnvrtc can be loaded.</summary>
    public static bool IsAvailable => NativeLibraries.TryLoad(NvrtcNative.Library, out _) != IntPtr.Zero;

    /// <summary>Compiles CUDA C++ <paramref name="source"/> to PTX for compute capability <paramref name="arch"/> (e.g. 90); returns PTX and a description.</summary>
    public static (byte[] Ptx, string Source) Compile(string source, string name, int arch) => Build(source, name, $"compute_{arch}", cubin: false);

    /// <summary>Compiles <paramref name="source"/> to a cubin (sm_<paramref name="arch"/> machine code); returns the ELF image and a description.</summary>
    public static (byte[] Cubin, string Source) CompileCubin(string source, string name, int arch) => Build(source, name, $"sm_{arch}", cubin: true);

    /// <summary>
    /// The module image for a card of compute capability <paramref name="arch"/>: a cubin for it, or, when this
    /// NVRTC does not know the card, PTX for the newest architecture it does know.
    /// </summary>
    public static (byte[] Image, string Source) CompileForDevice(string source, string name, int arch)
    {
        try
        {
            return CompileCubin(source, name, arch);
        }
        catch (CudaException e) when (e.Code == InvalidOption)
        {
            int newest = SupportedArchitectures().Where(a => a <= arch).DefaultIfEmpty(0).Max();
            if (newest == 0) throw new CudaException(e.Code, e.ErrorName, $"NVRTC knows no architecture up to sm_{arch} (it knows {string.Join(", ", SupportedArchitectures())}); install an NVRTC as new as the card");
            var (ptx, how) = Compile(source, name, newest);
            return (ptx, how + $" (this NVRTC does not know sm_{arch}; the driver compiles the PTX)");
        }
    }

    /// <summary>The sm_XX numbers this NVRTC compiles for (nvrtcGetSupportedArchs).</summary>
    public static unsafe int[] SupportedArchitectures()
    {
        Load();
        Check(NvrtcNative.nvrtcGetNumSupportedArchs(out int n), "nvrtcGetNumSupportedArchs");
        var archs = new int[n];
        fixed (int* p = archs) Check(NvrtcNative.nvrtcGetSupportedArchs(p), "nvrtcGetSupportedArchs");
        return archs;
    }

    private static string Load()
    {
        if (NativeLibraries.TryLoad(NvrtcNative.Library, out string detail) == IntPtr.Zero)
            throw new InvalidOperationException($"No PTX was built into Engine.Kernels and NVRTC is {detail}. Run `make ptx` (needs nvcc) and rebuild, set ENGINE_PTX to a kernels.ptx file, or install NVRTC.");
        return detail;
    }

    private static unsafe (byte[] Image, string Source) Build(string source, string name, string architecture, bool cubin)
    {
        string detail = Load();
        NvrtcNative.nvrtcVersion(out int major, out int minor);
        byte[] src = Encoding.UTF8.GetBytes(source + "\0"), nm = Encoding.UTF8.GetBytes(name + "\0");
        IntPtr program;
        fixed (byte* s = src, n = nm)
            Check(NvrtcNative.nvrtcCreateProgram(out program, s, n, 0, null, null), "nvrtcCreateProgram");
        try
        {
            var opts = new[] { $"--gpu-architecture={architecture}", "--fmad=false" }.Select(o => Encoding.UTF8.GetBytes(o + "\0")).ToArray();
            var handles = opts.Select(o => System.Runtime.InteropServices.GCHandle.Alloc(o, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
            try
            {
                byte** ptrs = stackalloc byte*[opts.Length];
                for (int i = 0; i < opts.Length; i++) ptrs[i] = (byte*)handles[i].AddrOfPinnedObject();
                int r = NvrtcNative.nvrtcCompileProgram(program, opts.Length, ptrs);
                if (r != 0)
                    throw new CudaException(r, r == InvalidOption ? "NVRTC_ERROR_INVALID_OPTION" : "NVRTC_ERROR_COMPILATION", $"NVRTC {major}.{minor} compiling {name} for {architecture}:\n{Log(program)}");
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
            byte[] image;
            if (cubin)
            {
                Check(NvrtcNative.nvrtcGetCUBINSize(program, out nuint size), "nvrtcGetCUBINSize");
                image = new byte[(int)size];
                fixed (byte* p = image) Check(NvrtcNative.nvrtcGetCUBIN(program, p), "nvrtcGetCUBIN");
            }
            else
            {
                Check(NvrtcNative.nvrtcGetPTXSize(program, out nuint size), "nvrtcGetPTXSize");
                image = new byte[(int)size];
                fixed (byte* p = image) Check(NvrtcNative.nvrtcGetPTX(program, p), "nvrtcGetPTX");
                int end = Array.IndexOf(image, (byte)0);
                if (end >= 0) image = image[..end];
            }
            return (image, $"NVRTC {major}.{minor} ({detail}) {(cubin ? "cubin" : "PTX")} for {architecture}");
        }
        finally
        {
            NvrtcNative.nvrtcDestroyProgram(ref program);
        }
    }

    private static unsafe string Log(IntPtr program)
    {
        if (NvrtcNative.nvrtcGetProgramLogSize(program, out nuint size) != 0 || size == 0) return "";
        var log = new byte[(int)size];
        fixed (byte* p = log) NvrtcNative.nvrtcGetProgramLog(program, p);
        return Encoding.UTF8.GetString(log).TrimEnd('\0');
    }

    private static void Check(int r, string op)
    {
        if (r != 0) throw new CudaException(r, $"NVRTC error {r}", op);
    }
}
