using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>
/// Host↔device copies of whole arrays. The page-locked part of a pinned array (<see cref="PinnedHostMemory"/>)
/// moves by DMA, queued on the backend's stream after the kernels before it (cuMemcpyHtoDAsync/DtoHAsync),
/// and the call waits for the stream before it returns, so the host may read or overwrite the array at
/// once. Pageable bytes — a whole pageable array, or the part of a pinned one outside its whole pages
/// (under a page at either end) — go by the driver's synchronous copy (cuMemcpyHtoD/DtoH), which stages
/// them through the driver's own pinned buffer.
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
            IntPtr host = h.AddrOfPinnedObject();
            var (from, to) = LockedPart(pinned, src, bytes);
            if (from == to)
            {
                driver.CopyHtoD(dst, host, bytes);
                return;
            }
            if (from > 0) driver.CopyHtoD(dst, host, from);
            driver.CopyHtoDAsync(dst + (ulong)from, host + (nint)from, to - from, stream);
            if (to < bytes) driver.CopyHtoD(dst + (ulong)to, host + (nint)to, bytes - to);
            driver.StreamSynchronize(stream);
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
            IntPtr host = h.AddrOfPinnedObject();
            var (from, to) = LockedPart(pinned, dst, bytes);
            if (from == to)
            {
                driver.CopyDtoH(host, src, bytes);
                return;
            }
            if (from > 0) driver.CopyDtoH(host, src, from);
            driver.CopyDtoHAsync(host + (nint)from, src + (ulong)from, to - from, stream);
            if (to < bytes) driver.CopyDtoH(host + (nint)to, src + (ulong)to, bytes - to);
            driver.StreamSynchronize(stream); // the host reads dst next: wait for the DMA
        }
        finally
        {
            h.Free();
        }
    }

    /// <summary>The byte range [from, to) of the first <paramref name="bytes"/> bytes of <paramref name="host"/> that is page-locked (empty: none).</summary>
    private static (long From, long To) LockedPart(PinnedHostMemory? pinned, Array host, long bytes)
    {
        if (pinned is null || !pinned.TryGetRegion(host, out var region)) return (0, 0);
        long from = Math.Min(region.Offset, bytes), to = Math.Min(region.Offset + region.Bytes, bytes);
        return from < to ? (from, to) : (0, 0);
    }
}
