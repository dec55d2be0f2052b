using System.Runtime.InteropServices;
using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// One kernel of a loaded PTX module (ManagedCuda's CudaKernel): set the grid, block and dynamic
/// shared memory, then <see cref="Run"/> with the kernel's arguments in order. Arguments are
/// blittable values (int, long, float, double, device pointers as ulong, kernel structs) or
/// <see cref="CudaDeviceVariable{T}"/>s. Failures name the kernel and the launch shape.
/// </summary>
public sealed class CudaKernel
{
    private readonly CudaContext _context;

    internal CudaKernel(CudaContext context, string name, IntPtr function)
    {
        _context = context;
        Name = name;
        Function = function;
    }

    /// <summary>The kernel's name in kernels.cu.</summary>
    public string Name { get; }

    internal IntPtr Function { get; }

    /// <summary>Blocks in the grid.</summary>
    public Dim3 GridDimensions { get; set; } = new(1);

    /// <summary>Threads per block.</summary>
    public Dim3 BlockDimensions { get; set; } = new(1);

    /// <summary>Dynamic shared memory per block, in bytes.</summary>
    public uint DynamicSharedMemory { get; set; }

    /// <summary>Registers per thread (from the driver), for reports.</summary>
    public int Registers => CudaDriver.cuFuncGetAttribute(out int v, 4, Function) == 0 ? v : -1;

    /// <summary>
    /// When true, every launch waits for the kernel and checks for asynchronous errors (like
    /// CUDA_LAUNCH_BLOCKING=1), so a fault is reported by the kernel that caused it.
    /// Set ENGINE_CUDA_SYNC=1 to turn it on for a process.
    /// </summary>
    public static bool SynchronousErrors { get; set; } = Environment.GetEnvironmentVariable("ENGINE_CUDA_SYNC") == "1";

    /// <summary>Launches on the legacy default stream.</summary>
    public void Run(params object[] args) => RunAsync(IntPtr.Zero, args);

    /// <summary>Launches on <paramref name="stream"/>.</summary>
    public void RunAsync(CudaStream stream, params object[] args) => RunAsync(stream.Pointer, args);

    /// <summary>Launches on a raw stream handle.</summary>
    public void RunAsync(IntPtr stream, params object[] args) => Launch(GridDimensions, BlockDimensions, DynamicSharedMemory, stream, args);

    /// <summary>Launches with an explicit shape (thread-safe: the kernel's own shape properties are not touched).</summary>
    public unsafe void Launch(Dim3 grid, Dim3 block, uint sharedBytes, IntPtr stream, params object[] args)
    {
        _context.SetCurrent();
        var handles = new GCHandle[args.Length];
        void** pointers = stackalloc void*[Math.Max(args.Length, 1)];
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                object a = args[i] switch
                {
                    IDevicePointer v => v.DevicePointer,
                    null => throw new ArgumentNullException(nameof(args), $"{Name}: argument {i} is null."),
                    var v => v,
                };
                if (!a.GetType().IsValueType) throw new ArgumentException($"{Name}: argument {i} of type {a.GetType().Name} cannot be passed to a kernel.");
                handles[i] = GCHandle.Alloc(a, GCHandleType.Pinned);
                pointers[i] = (void*)handles[i].AddrOfPinnedObject();
            }
            var (g, b) = (grid, block);
            int r = CudaDriver.cuLaunchKernel(Function, g.X, g.Y, g.Z, b.X, b.Y, b.Z, sharedBytes, stream, pointers, null);
            if (r != 0) throw new CudaException(r, CudaDriver.ErrorName(r), $"launch {Name} grid {g} block {b} shared {sharedBytes}");
            if (SynchronousErrors)
            {
                r = CudaDriver.cuCtxSynchronize();
                if (r != 0) throw new CudaException(r, CudaDriver.ErrorName(r), $"kernel {Name} grid {g} block {b} (reported at synchronisation)");
            }
        }
        finally
        {
            foreach (var h in handles) if (h.IsAllocated) h.Free();
        }
    }
}

/// <summary>Something that stands for a device address when passed to a kernel.</summary>
public interface IDevicePointer
{
    /// <summary>The device address.</summary>
    ulong DevicePointer { get; }
}
