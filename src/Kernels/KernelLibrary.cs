using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// The module of kernels.cu loaded into one context: the PTX that `make ptx` built and the build
/// embedded (resource "kernels.ptx"), or, without it, kernels.cu compiled at start-up by NVRTC into a
/// cubin for the card (<see cref="Nvrtc.CompileForDevice"/>).
/// Kernels are looked up by name once and cached.
/// </summary>
internal sealed class KernelLibrary : IDisposable
{
    private readonly CudaContext _context;
    private readonly Dictionary<string, CudaKernel> _kernels = new();
    private IntPtr _module;

    internal KernelLibrary(CudaContext context)
    {
        _context = context;
        var (image, source) = Load(context);
        Source = source;
        _module = LoadModule(context, image);
    }

    /// <summary>Where the module came from ("embedded PTX (make ptx)" or "NVRTC 12.4 … cubin for sm_90").</summary>
    internal string Source { get; }

    /// <summary>The embedded PTX text, or null when the build had none.</summary>
    internal static byte[]? EmbeddedPtx => ReadResource("kernels.ptx");

    /// <summary>The embedded kernels.cu text with each `#include "kernels/x.cu"` replaced by that file (also embedded): one source for NVRTC.</summary>
    internal static string KernelSource => IncludeLine.Replace(EmbeddedText("kernels.cu"), m => EmbeddedText(m.Groups[1].Value));

    private static readonly Regex IncludeLine = new(@"^#include ""(kernels/[\w.]+\.cu)""$", RegexOptions.Multiline);

    private static string EmbeddedText(string name) => Encoding.UTF8.GetString(ReadResource(name)
        ?? throw new InvalidOperationException($"Engine.Kernels was built without {name} embedded."));

    internal CudaKernel Get(string name)
    {
        lock (_kernels)
        {
            if (_kernels.TryGetValue(name, out var k)) return k;
            _context.SetCurrent();
            int r = CudaDriver.cuModuleGetFunction(out IntPtr f, _module, name);
            if (r != 0) throw new CudaException(r, CudaDriver.ErrorName(r), $"kernel '{name}' is not in kernels.cu ({Source}); rebuild with make ptx");
            return _kernels[name] = new CudaKernel(_context, name, f);
        }
    }

    private static (byte[] Image, string Source) Load(CudaContext context)
    {
        string? path = Environment.GetEnvironmentVariable("ENGINE_PTX");
        if (!string.IsNullOrEmpty(path)) return (File.ReadAllBytes(path), $"PTX file {path} (ENGINE_PTX)");
        if (EmbeddedPtx is { } ptx) return (ptx, "embedded PTX (make ptx)");
        int major = context.GetAttribute(75), minor = context.GetAttribute(76);
        return Nvrtc.CompileForDevice(KernelSource, "kernels.cu", major * 10 + minor);
    }

    private static byte[]? ReadResource(string name)
    {
        using var stream = typeof(KernelLibrary).Assembly.GetManifestResourceStream(name);
        if (stream is null) return null;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    // code: PTX text (NUL-terminated here) or a cubin (ELF; the extra byte is ignored)
    private static unsafe IntPtr LoadModule(CudaContext context, byte[] code)
    {
        context.SetCurrent();
        var image = new byte[code.Length + 1];
        code.CopyTo(image, 0);
        const int logSize = 16384;
        var log = new byte[logSize];
        fixed (byte* img = image, logp = log)
        {
            int* options = stackalloc int[2] { 5 /* CU_JIT_ERROR_LOG_BUFFER */, 6 /* CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES */ };
            void** values = stackalloc void*[2] { logp, (void*)(nint)logSize };
            int r = CudaDriver.cuModuleLoadDataEx(out IntPtr module, img, 2, options, values);
            if (r != 0)
            {
                string text = Encoding.UTF8.GetString(log).TrimEnd('\0').Trim();
                throw new CudaException(r, CudaDriver.ErrorName(r), $"loading the kernels.cu PTX into cuda:{context.DeviceId}{(text.Length > 0 ? " — JIT log: " + text : "")}");
            }
            return module;
        }
    }

    public void Dispose()
    {
        if (_module == IntPtr.Zero) return;
        _context.SetCurrent();
        CudaDriver.cuModuleUnload(_module);
        _module = IntPtr.Zero;
    }
}
