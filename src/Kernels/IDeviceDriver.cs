namespace Engine.Kernels;

/// <summary>
/// The driver calls of one CUDA context that the caching allocator, the bad-index report and the
/// host↔device copies make. <see cref="ContextDriver"/> forwards them to libcuda; tests give a fake
/// that records the calls, so these paths are checked on a machine without a GPU. Every method makes
/// its context current first and throws a <see cref="CudaException"/> on failure, except
/// <see cref="MemAlloc"/>, which returns the CUresult so that the allocator can react to out-of-memory.
/// </summary>
internal interface IDeviceDriver
{
    /// <summary>Which device this is, for messages (cuda:N).</summary>
    int DeviceId { get; }

    /// <summary>cuMemAlloc: a CUresult (0 success, 2 out of memory) and the new block's address.</summary>
    int MemAlloc(long bytes, out ulong pointer);

    /// <summary>cuMemFree.</summary>
    void MemFree(ulong pointer);

    /// <summary>cuMemsetD8Async: <paramref name="bytes"/> bytes set to <paramref name="value"/>, ordered on <paramref name="stream"/>.</summary>
    void MemsetAsync(ulong pointer, byte value, long bytes, IntPtr stream);

    /// <summary>cuCtxSynchronize: waits for all work of the context.</summary>
    void Synchronize();

    /// <summary>cuStreamSynchronize: waits for the work queued on <paramref name="stream"/>.</summary>
    void StreamSynchronize(IntPtr stream);

    /// <summary>cuEventCreate with timing off (an event used only for ordering).</summary>
    IntPtr EventCreate();

    /// <summary>cuEventRecord: the event completes when the work queued on <paramref name="stream"/> so far has.</summary>
    void EventRecord(IntPtr evt, IntPtr stream);

    /// <summary>cuEventQuery: true when the event has completed (does not wait).</summary>
    bool EventQuery(IntPtr evt);

    /// <summary>cuEventDestroy.</summary>
    void EventDestroy(IntPtr evt);

    /// <summary>cuMemcpyHtoD: a synchronous copy from (pageable) host memory.</summary>
    void CopyHtoD(ulong dst, IntPtr src, long bytes);

    /// <summary>cuMemcpyDtoH: a synchronous copy to (pageable) host memory.</summary>
    void CopyDtoH(IntPtr dst, ulong src, long bytes);

    /// <summary>cuMemcpyHtoDAsync: a DMA copy from page-locked host memory, ordered on <paramref name="stream"/>.</summary>
    void CopyHtoDAsync(ulong dst, IntPtr src, long bytes, IntPtr stream);

    /// <summary>cuMemcpyDtoHAsync: a DMA copy to page-locked host memory, ordered on <paramref name="stream"/>.</summary>
    void CopyDtoHAsync(IntPtr dst, ulong src, long bytes, IntPtr stream);

    /// <summary>cuMemHostRegister (portable): page-locks <paramref name="bytes"/> bytes of host memory at <paramref name="pointer"/>.</summary>
    void HostRegister(IntPtr pointer, long bytes);

    /// <summary>cuMemHostUnregister.</summary>
    void HostUnregister(IntPtr pointer);
}
