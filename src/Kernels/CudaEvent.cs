using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>A CUDA event, for timing work on a stream: record two, synchronise, read the milliseconds between.</summary>
public sealed class CudaEvent : IDisposable
{
    private readonly CudaContext _context;

    /// <summary>Creates an event in <paramref name="context"/>.</summary>
    public CudaEvent(CudaContext context)
    {
        _context = context;
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out IntPtr e, 0), "cuEventCreate");
        Pointer = e;
    }

    /// <summary>The CUevent handle.</summary>
    public IntPtr Pointer { get; private set; }

    /// <summary>Records the event on a stream (null: the legacy default stream).</summary>
    public void Record(CudaStream? stream = null)
    {
        _context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuEventRecord(Pointer, stream?.Pointer ?? IntPtr.Zero), "cuEventRecord");
    }

    /// <summary>True when the work recorded before the event has finished (cuEventQuery; does not wait).</summary>
    public bool Query()
    {
        int r = CudaDriver.cuEventQuery(Pointer);
        if (r == CudaDriver.ErrorNotReady) return false;
        CudaDriver.Check(r, "cuEventQuery");
        return true;
    }

    /// <summary>Waits for the event.</summary>
    public void Synchronize() => CudaDriver.Check(CudaDriver.cuEventSynchronize(Pointer), "cuEventSynchronize");

    /// <summary>Milliseconds between two recorded events (waits for <paramref name="end"/>).</summary>
    public static float ElapsedTime(CudaEvent start, CudaEvent end)
    {
        end.Synchronize();
        CudaDriver.Check(CudaDriver.cuEventElapsedTime(out float ms, start.Pointer, end.Pointer), "cuEventElapsedTime");
        return ms;
    }

    /// <summary>Destroys the event.</summary>
    public void Dispose()
    {
        if (Pointer == IntPtr.Zero) return;
        CudaDriver.cuEventDestroy_v2(Pointer);
        Pointer = IntPtr.Zero;
    }
}
