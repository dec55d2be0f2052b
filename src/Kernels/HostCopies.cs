using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// Host↔device copies of whole arrays. From or to a page-locked array (<see cref="PinnedHostMemory"/>)
/// the copy is a DMA transfer queued on the backend's stream (cuMemcpyHtoDAsync/DtoHAsync), after the
/// kernels queued before it, and the call waits for the stream before it returns, so the host may read
/// (or overwrite) the array at once. From or to pageable memory the driver's synchronous copy
/// (cuMemcpyHtoD/DtoH) stages the bytes through its own pinned buffer.
/// </summary>
internal static class HostCopies
{
    /// <summary>Copies the first <paramref name="bytes"/> bytes of <paramref name="src"/> to device address <paramref name="dst"/>.</summary>
    internal static void ToDevice(IDeviceDriver driver, PinnedHostMemory? pinned, IntPtr stream, Array src, ulong dst, long bytes)
    {
        pinned?.Drain();
        var h = GCHandle.Alloc(src, GCHandleType.Pinned);
        try
        {
            if (pinned is not null && pinned.IsLocked(src))
            {
                driver.CopyHtoDAsync(dst, h.AddrOfPinnedObject(), bytes, stream);
                driver.StreamSynchronize(stream);
            }
            else driver.CopyHtoD(dst, h.AddrOfPinnedObject(), bytes);
        }
        finally
        {
            h.Free();
        }
    }

    /// <summary>Copies <paramref name="bytes"/> bytes at device address <paramref name="src"/> into <paramref name="dst"/>; they are there when it returns.</summary>
    internal static void ToHost(IDeviceDriver driver, PinnedHostMemory? pinned, IntPtr stream, ulong src, Array dst, long bytes)
    {
        pinned?.Drain();
        var h = GCHandle.Alloc(dst, GCHandleType.Pinned);
        try
        {
            if (pinned is not null && pinned.IsLocked(dst))
            {
                driver.CopyDtoHAsync(h.AddrOfPinnedObject(), src, bytes, stream);
                driver.StreamSynchronize(stream); // the host reads dst next: wait for the DMA
            }
            else driver.CopyDtoH(h.AddrOfPinnedObject(), src, bytes);
        }
        finally
        {
            h.Free();
        }
    }
}
