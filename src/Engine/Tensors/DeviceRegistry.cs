using System.Reflection;

namespace Engine;

/// <summary>
/// The one piece of global state: which backends exist. The CPU backend is built in; the CUDA
/// backend lives in the Engine.Kernels assembly, which registers itself when it is loaded (the
/// registry loads it on first use, so user code never has to).
/// </summary>
public static class DeviceRegistry
{
    private static readonly object Gate = new();
    // Read on every op, so lookups take no lock; creation of a CUDA backend is still serialised by Gate.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Device, IBackend> Backends = new() { [Device.Cpu] = CpuBackend.Instance };
    private static ICudaProvider? _cuda;
    private static bool _probed;

    /// <summary>Called by Engine.Kernels to make CUDA devices reachable.</summary>
    public static void RegisterCuda(ICudaProvider provider)
    {
        lock (Gate) _cuda = provider;
    }

    /// <summary>The CUDA provider, loading Engine.Kernels if it is beside Engine.dll; null if none.</summary>
    public static ICudaProvider? Cuda
    {
        get
        {
            lock (Gate)
            {
                if (!_probed)
                {
                    _probed = true;
                    if (_cuda is null)
                    {
                        try
                        {
                            var asm = Assembly.Load("Engine.Kernels");
                            System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(asm.ManifestModule.ModuleHandle);
                        }
                        catch (FileNotFoundException)
                        {
                            // No GPU backend shipped: CPU only.
                        }
                    }
                }
                return _cuda;
            }
        }
    }

    /// <summary>Number of usable CUDA devices (0 without a GPU, driver or Engine.Kernels).</summary>
    public static int CudaDeviceCount => Cuda?.DeviceCount ?? 0;

    /// <summary>Why CUDA is unavailable, in words (null when it is available).</summary>
    public static string? CudaUnavailableReason =>
        Cuda is null ? "the CUDA backend (Engine.Kernels) is not loaded" :
        Cuda.DeviceCount == 0 ? Cuda.UnavailableReason : null;

    /// <summary>Page-locks a pinned host array through the CUDA provider; null without a GPU (see <see cref="ICudaProvider.PageLock"/>).</summary>
    internal static IDisposable? PageLock(Array pinned) => CudaDeviceCount > 0 ? Cuda!.PageLock(pinned) : null;

    /// <summary>
    /// Runs the CPU's ops on <paramref name="backend"/> (a backend of CPU tensors, e.g. <see cref="CpuReference"/> for
    /// <c>--device cpu-ref</c>) until the returned scope is disposed, which puts the previous CPU backend back.
    /// </summary>
    public static IDisposable UseCpuBackend(IBackend backend)
    {
        if (backend.Device != Device.Cpu)
            throw new ArgumentException($"UseCpuBackend: expected a backend of CPU tensors, got one for {backend.Device}.", nameof(backend));
        lock (Gate)
        {
            var previous = Backends[Device.Cpu];
            Backends[Device.Cpu] = backend;
            return new CpuBackendScope(previous);
        }
    }

    private sealed class CpuBackendScope(IBackend previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (Gate) Backends[Device.Cpu] = previous;
        }
    }

    /// <summary>The backend for a device.</summary>
    public static IBackend Backend(Device device)
    {
        if (Backends.TryGetValue(device, out var known)) return known;
        var cuda = Cuda;
        if (cuda is null || cuda.DeviceCount == 0)
            throw new DeviceUnavailableException($"Device {device} was requested but no CUDA device is usable: {CudaUnavailableReason}. Use --device cpu or Device.CudaIfAvailable().");
        if (device.Index >= cuda.DeviceCount)
            throw new DeviceUnavailableException($"Device {device} was requested but only {cuda.DeviceCount} CUDA device(s) are visible (cuda:0..cuda:{cuda.DeviceCount - 1}).");
        lock (Gate)
        {
            if (!Backends.TryGetValue(device, out var backend))
                Backends[device] = backend = cuda.CreateBackend(device.Index);
            return backend;
        }
    }
}

/// <summary>What Engine.Kernels provides to the registry.</summary>
public interface ICudaProvider
{
    /// <summary>Visible CUDA devices (0 when there is no GPU or driver).</summary>
    int DeviceCount { get; }

    /// <summary>Why there are no devices, in words.</summary>
    string UnavailableReason { get; }

    /// <summary>Creates the backend of device <paramref name="index"/>.</summary>
    IBackend CreateBackend(int index);

    /// <summary>
    /// Page-locks <paramref name="pinned"/>, a host array allocated pinned (fixed address), so copies between it
    /// and a GPU are DMA transfers (cuMemHostRegister); disposing the handle unlocks it. Null when the
    /// provider does not page-lock (the array then stays pinned in the GC's sense only).
    /// </summary>
    IDisposable? PageLock(Array pinned) => null;

    /// <summary>What nvidia-smi shows about device <paramref name="index"/> (a provider that cannot tell says so).</summary>
    CudaDeviceProperties Properties(int index) =>
        throw new NotSupportedException($"This CUDA provider ({GetType().Name}) does not report device properties.");
}

/// <summary>A device was requested that this machine does not have.</summary>
public sealed class DeviceUnavailableException(string message) : InvalidOperationException(message);
