using System.Text;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>Run-time compilation of kernels.cu to PTX with NVRTC (the fallback when `make ptx` was not run).</summary>
public static class Nvrtc
{
    /// <summary>True when libnvrtc can be loaded.</summary>
    public static bool IsAvailable => NativeLibraries.TryLoad(NvrtcNative.Library, out _) != IntPtr.Zero;

    /// <summary>Compiles CUDA C++ <paramref name="source"/> for compute capability <paramref name="arch"/> (e.g. 90); returns PTX and a description.</summary>
    public static unsafe (byte[] Ptx, string Source) Compile(string source, string name, int arch)
    {
        if (NativeLibraries.TryLoad(NvrtcNative.Library, out string detail) == IntPtr.Zero)
            throw new InvalidOperationException($"No PTX was built into Engine.Kernels and NVRTC is {detail}. Run `make ptx` (needs nvcc) and rebuild, set ENGINE_PTX to a kernels.ptx file, or install NVRTC.");
        NvrtcNative.nvrtcVersion(out int major, out int minor);
        byte[] src = Encoding.UTF8.GetBytes(source + "\0"), nm = Encoding.UTF8.GetBytes(name + "\0");
        IntPtr program;
        fixed (byte* s = src, n = nm)
            Check(NvrtcNative.nvrtcCreateProgram(out program, s, n, 0, null, null), "nvrtcCreateProgram");
        try
        {
            var opts = new[] { $"--gpu-architecture=compute_{arch}", "--fmad=false" }.Select(o => Encoding.UTF8.GetBytes(o + "\0")).ToArray();
            var handles = opts.Select(o => System.Runtime.InteropServices.GCHandle.Alloc(o, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
            try
            {
                byte** ptrs = stackalloc byte*[opts.Length];
                for (int i = 0; i < opts.Length; i++) ptrs[i] = (byte*)handles[i].AddrOfPinnedObject();
                int r = NvrtcNative.nvrtcCompileProgram(program, opts.Length, ptrs);
                if (r != 0) throw new CudaException(r, "NVRTC_ERROR_COMPILATION", $"NVRTC {major}.{minor} compiling {name} for compute_{arch}:\n{Log(program)}");
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
            Check(NvrtcNative.nvrtcGetPTXSize(program, out nuint size), "nvrtcGetPTXSize");
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx) Check(NvrtcNative.nvrtcGetPTX(program, p), "nvrtcGetPTX");
            int end = Array.IndexOf(ptx, (byte)0);
            return (end >= 0 ? ptx[..end] : ptx, $"NVRTC {major}.{minor} ({detail}) for compute_{arch}");
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
