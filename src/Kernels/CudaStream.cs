using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>A CUDA stream: an ordered queue of copies and kernel launches (blocking with respect to the legacy default stream).</summary>
public sealed class CudaStream : IDisposable
{
    private readonly CudaContext _context;

    /// <summary>Creates a stream in <paramref name="context"/>.</summary>
    public CudaStream(CudaContext context)
    {
        _context = context;
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuStreamCreate(out IntPtr s, 0), "cuStreamCreate");
        Pointer = s;
    }

    /// <summary>The CUstream handle.</summary>
    public IntPtr Pointer { get; private set; }

    /// <summary>Waits until everything queued on this stream is done.</summary>
    public void Synchronize()
    {
        _context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuStreamSynchronize(Pointer), "cuStreamSynchronize");
    }

    /// <summary>Destroys the stream.</summary>
    public void Dispose()
    {
        if (Pointer == IntPtr.Zero) return;
        _context.SetCurrent();
        CudaDriver.cuStreamDestroy_v2(Pointer);
        Pointer = IntPtr.Zero;
    }
}
