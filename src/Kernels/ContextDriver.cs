using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>The <see cref="IDeviceDriver"/> calls forwarded to libcuda in one <see cref="CudaContext"/>.</summary>
internal sealed class ContextDriver(CudaContext context) : IDeviceDriver
{
    /// <summary>CU_MEMHOSTREGISTER_PORTABLE: the page-locked range counts as pinned in every context.</summary>
    private const uint Portable = 1;

    /// <summary>CU_EVENT_DISABLE_TIMING: a lighter event, for ordering only.</summary>
    private const uint DisableTiming = 2;

    public int DeviceId => context.DeviceId;

    public int MemAlloc(long bytes, out ulong pointer)
    {
        context.SetCurrent();
        return CudaDriver.cuMemAlloc_v2(out pointer, (nuint)bytes);
    }

    public void MemFree(ulong pointer)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemFree_v2(pointer), "cuMemFree");
    }

    public void MemsetAsync(ulong pointer, byte value, long bytes, IntPtr stream)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemsetD8Async(pointer, value, (nuint)bytes, stream), $"cuMemsetD8Async({bytes} bytes)");
    }

    public void Synchronize() => context.Synchronize();

    public void StreamSynchronize(IntPtr stream)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    public IntPtr EventCreate()
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out IntPtr e, DisableTiming), "cuEventCreate");
        return e;
    }

    public void EventRecord(IntPtr evt, IntPtr stream)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuEventRecord(evt, stream), "cuEventRecord");
    }

    public bool EventQuery(IntPtr evt)
    {
        context.SetCurrent();
        int r = CudaDriver.cuEventQuery(evt);
        if (r == CudaDriver.ErrorNotReady) return false;
        CudaDriver.Check(r, "cuEventQuery");
        return true;
    }

    public void EventDestroy(IntPtr evt)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuEventDestroy_v2(evt), "cuEventDestroy");
    }

    public unsafe void CopyHtoD(ulong dst, IntPtr src, long bytes)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyHtoD_v2(dst, (void*)src, (nuint)bytes), $"cuMemcpyHtoD({bytes} bytes)");
    }

    public unsafe void CopyDtoH(IntPtr dst, ulong src, long bytes)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoH_v2((void*)dst, src, (nuint)bytes), $"cuMemcpyDtoH({bytes} bytes)");
    }

    public void CopyHtoDAsync(ulong dst, IntPtr src, long bytes, IntPtr stream)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync_v2(dst, src, (nuint)bytes, stream), $"cuMemcpyHtoDAsync({bytes} bytes)");
    }

    public void CopyDtoHAsync(IntPtr dst, ulong src, long bytes, IntPtr stream)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync_v2(dst, src, (nuint)bytes, stream), $"cuMemcpyDtoHAsync({bytes} bytes)");
    }

    public void HostRegister(IntPtr pointer, long bytes)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemHostRegister_v2(pointer, (nuint)bytes, Portable), $"cuMemHostRegister({bytes} bytes)");
    }

    public void HostUnregister(IntPtr pointer)
    {
        context.SetCurrent();
        CudaDriver.Check(CudaDriver.cuMemHostUnregister(pointer), "cuMemHostUnregister");
    }
}
