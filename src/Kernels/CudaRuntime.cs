using System.Text;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// Driver start-up: loads libcuda.so.1 and calls cuInit once. A missing libcuda, or cuInit returning
/// CUDA_ERROR_NO_DEVICE (100), means "no GPU" and is reported in <see cref="UnavailableReason"/>, not thrown.
/// The driver applies CUDA_VISIBLE_DEVICES itself, so device indices here are the visible ones.
/// </summary>
public static class CudaRuntime
{
    private static readonly object Gate = new();
    private static bool _initialised;
    private static int _count;
    private static string _reason = "";

    /// <summary>Visible CUDA devices (0 when there is no GPU or driver).</summary>
    public static int DeviceCount
    {
        get
        {
            Initialise();
            return _count;
        }
    }

    /// <summary>Why there is no device (empty when there is one).</summary>
    public static string UnavailableReason
    {
        get
        {
            Initialise();
            return _reason;
        }
    }

    /// <summary>The driver's CUDA version as "13.0" (empty when there is no driver).</summary>
    public static string DriverVersion
    {
        get
        {
            Initialise();
            if (_count == 0 && NativeLibraries.TryLoad(CudaDriver.Library, out _) == IntPtr.Zero) return "";
            return CudaDriver.cuDriverGetVersion(out int v) == 0 ? $"{v / 1000}.{v % 1000 / 10}" : "";
        }
    }

    /// <summary>Throws a clear error unless a device is usable.</summary>
    internal static void EnsureInitialised()
    {
        Initialise();
        if (_count == 0) throw new DeviceUnavailableException($"No CUDA device is usable: {_reason}.");
    }

    private static void Initialise()
    {
        lock (Gate)
        {
            if (_initialised) return;
            _initialised = true;
            if (NativeLibraries.TryLoad(CudaDriver.Library, out string detail) == IntPtr.Zero)
            {
                _reason = $"the NVIDIA driver library libcuda.so.1 is {detail}";
                return;
            }
            int r = CudaDriver.cuInit(0);
            if (r == CudaDriver.ErrorNoDevice)
            {
                string visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { } v ? $" (CUDA_VISIBLE_DEVICES={v})" : "";
                _reason = $"the driver reports no CUDA-capable device{visible} (CUDA_ERROR_NO_DEVICE)";
                return;
            }
            if (r != 0)
            {
                _reason = $"cuInit failed with {CudaDriver.ErrorName(r)} ({r})";
                return;
            }
            r = CudaDriver.cuDeviceGetCount(out int count);
            if (r != 0)
            {
                _reason = $"cuDeviceGetCount failed with {CudaDriver.ErrorName(r)} ({r})";
                return;
            }
            _count = count;
            if (count == 0) _reason = "the driver reports 0 devices";
        }
    }

    internal static unsafe string DeviceName(int device)
    {
        byte* buffer = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.cuDeviceGetName(buffer, 256, device), "cuDeviceGetName");
        int len = 0;
        while (len < 256 && buffer[len] != 0) len++;
        return Encoding.UTF8.GetString(buffer, len);
    }
}
