using Engine.Kernels.Native;

namespace Engine.Kernels;

/// <summary>
/// The op table on one NVIDIA GPU: every op launches its kernel of kernels.cu (same name as the CPU
/// twin: ReluBackward ↔ relu_backward_f32) on the backend's stream; GEMM goes through cuBLAS (or the
/// matmul_f32/f64 kernel when libcublas is missing). Tensors live in <see cref="CudaStorage"/> from the
/// device's caching allocator; host↔device copies happen only in CopyFromHost/CopyToHost
/// (Tensor.To(device)). Every CUDA failure is rethrown naming the op and its tensors' shapes.
/// </summary>
public sealed partial class CudaBackend : IBackend, IDeviceMemory, IDisposable
{
    private const int Threads = 256;
    private readonly IndexErrorReport _errors;
    private readonly PinnedHostMemory? _pinned;
    private CudaBlas? _blas;

    /// <summary>Opens device <paramref name="index"/> (primary context, one stream, one cuBLAS handle).</summary>
    public CudaBackend(int index) : this(index, null) { }

    /// <summary>Opens device <paramref name="index"/>; copies from and to the arrays <paramref name="pinned"/> page-locked are DMA transfers.</summary>
    internal CudaBackend(int index, PinnedHostMemory? pinned)
    {
        _pinned = pinned;
        Device = Device.Cuda(index);
        Context = new CudaContext(index);
        Stream = new CudaStream(Context);
        if (CudaBlas.IsAvailable) _blas = new CudaBlas(Context, Stream);
        _errors = new IndexErrorReport(Context.Driver, Context.Allocator, Stream.Pointer);
    }

    /// <inheritdoc/>
    public Device Device { get; }

    /// <summary>The device's primary context.</summary>
    public CudaContext Context { get; }

    /// <summary>The stream every op of this backend is queued on.</summary>
    public CudaStream Stream { get; }

    /// <summary>The cuBLAS handle (null when libcublas is not installed: MatMul then uses the matmul kernel).</summary>
    public CudaBlas? Blas => _blas;

    /// <summary>Lets MatMul use TF32 tensor cores (torch.backends.cuda.matmul.allow_tf32). Off by default.</summary>
    public bool AllowTf32
    {
        get => _blas?.Tf32 ?? false;
        set
        {
            if (_blas is not null) _blas.Tf32 = value;
        }
    }

    /// <inheritdoc/>
    public long MemoryAllocated => Context.Allocator.Allocated;

    /// <inheritdoc/>
    public long MemoryReserved => Context.Allocator.Reserved;

    /// <inheritdoc/>
    public long MaxMemoryAllocated => Context.Allocator.PeakAllocated;

    /// <inheritdoc/>
    public void EmptyCache() => Context.Allocator.EmptyCache();

    /// <summary>Where the kernels came from (embedded PTX or NVRTC).</summary>
    public string KernelSource => Context.Kernels.Source;

    // ---- launching ----------------------------------------------------------------------------

    /// <summary>
    /// Runs <paramref name="body"/>, rethrowing CUDA failures with the op and its tensors' shapes. With
    /// ENGINE_CUDA_SYNC=1 (<see cref="CudaKernel.SynchronousErrors"/>) it also waits for the stream, so a fault
    /// of a cuBLAS call or a copy, too, is reported by this op rather than by a later one.
    /// </summary>
    private void Run(string op, Tensor[] tensors, Action body)
    {
        Context.SetCurrent();
        try
        {
            body();
            if (CudaKernel.SynchronousErrors) Stream.Synchronize();
        }
        catch (CudaException e)
        {
            throw e.In(op + " " + string.Join(", ", tensors.Select(t => Tensor.ShapeString(t.ShapeRef) + " " + t.DType.Name())));
        }
    }

    /// <summary>Launches an ELEMENTWISE kernel over <paramref name="n"/> items (grid-stride loop, 256 threads).</summary>
    private void Elementwise(string kernel, long n, params object[] args)
    {
        if (n == 0) return;
        long blocks = Math.Min((n + Threads - 1) / Threads, 65535L * 8);
        Context.LoadKernel(kernel).Launch(new Dim3((uint)blocks), new Dim3(Threads), 0, Stream.Pointer, args);
    }

    /// <summary>Launches a PER-ROW kernel: one block per row, a power-of-two block fitted to the row length.</summary>
    private void PerRow(string kernel, long rows, long rowLength, int sharedPerThread, params object[] args)
    {
        if (rows == 0) return;
        if (rows > int.MaxValue) throw new NotSupportedException($"{kernel}: {rows} rows exceed one grid.");
        int threads = 32;
        while (threads < Threads && threads < rowLength) threads *= 2;
        Context.LoadKernel(kernel).Launch(new Dim3((uint)rows), new Dim3((uint)threads), (uint)(threads * sharedPerThread), Stream.Pointer, args);
    }

    /// <summary>The device address of a tensor of this device.</summary>
    private ulong P(Tensor t)
    {
        if (t.Storage is not CudaStorage s || t.Device != Device)
            throw new InvalidOperationException($"CUDA backend of {Device}: expected a tensor on {Device}, got one on {t.Device} (shape {Tensor.ShapeString(t.ShapeRef)}).");
        return s.DevicePointer;
    }

    private static string Sfx(DType d) => d switch
    {
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        DType.Int32 => "i32",
        _ => "i64",
    };

    /// <summary>"f32"/"f64" for float tensors; throws for integers.</summary>
    private static string F(Tensor t, string op) => t.DType switch
    {
        DType.Float32 => "f32",
        DType.Float64 => "f64",
        _ => throw new InvalidOperationException($"{op}: expected a float tensor, got {t.DType.Name()}."),
    };

    /// <summary>A double as the kernel's element type: a boxed float for float32 kernels (4 bytes), else a boxed double.</summary>
    private static object S(Tensor t, double v) => t.DType == DType.Float32 ? (object)(float)v : v;

    /// <summary>Reads the calling thread's bad-index report written by range-checking kernels and throws if set.</summary>
    private void CheckIndexErrors(string what, long limit) => Run(what, [], () => _errors.Check(what, limit));

    // ---- memory ---------------------------------------------------------------------------

    /// <inheritdoc/>
    public Storage Allocate(DType dtype, long length)
    {
        Context.SetCurrent();
        return new CudaStorage(Device, dtype, length, Context.Allocator, Stream.Pointer);
    }

    /// <inheritdoc/>
    /// <remarks>No memset: the block holds what its last user left (a recycled block of the caching allocator).
    /// Every op of this backend overwrites its outputs; the ones whose kernel scatters (MaxPool2dBackward)
    /// clear the output themselves first.</remarks>
    public Storage AllocateUninitialized(DType dtype, long length)
    {
        Context.SetCurrent();
        return new CudaStorage(Device, dtype, length, Context.Allocator, Stream.Pointer, zero: false);
    }

    /// <inheritdoc/>
    /// <remarks>From a pinned CPU tensor's page-locked array: a DMA copy on <see cref="Stream"/> (see <see cref="HostCopies"/>).</remarks>
    public void CopyFromHost(Array src, Tensor dst)
    {
        long bytes = dst.Size * dst.DType.SizeOf();
        CheckHostArray("CopyFromHost", src, dst);
        if (bytes == 0) return;
        Run("CopyFromHost", [dst], () => HostCopies.ToDevice(Context.Driver, _pinned, Stream.Pointer, src, P(dst), bytes));
    }

    /// <inheritdoc/>
    /// <remarks>Into a pinned CPU tensor's page-locked array: a DMA copy on <see cref="Stream"/>, waited for before this returns.</remarks>
    public void CopyToHost(Tensor src, Array dst)
    {
        long bytes = src.Size * src.DType.SizeOf();
        CheckHostArray("CopyToHost", dst, src);
        if (bytes == 0) return;
        Run("CopyToHost", [src], () => HostCopies.ToHost(Context.Driver, _pinned, Stream.Pointer, P(src), dst, bytes));
    }

    private static void CheckHostArray(string op, Array host, Tensor t)
    {
        var expected = t.DType switch { DType.Float32 => typeof(float), DType.Float64 => typeof(double), DType.Int32 => typeof(int), _ => typeof(long) };
        if (host.GetType().GetElementType() != expected || host.LongLength < t.Size)
            throw new ArgumentException($"{op}: a {t.DType.Name()} tensor of {t.Size} elements needs a {expected.Name}[] of at least that length, got {host.GetType().Name} of {host.LongLength}.");
    }

    /// <inheritdoc/>
    public void Synchronize() => Run("Synchronize", [], () =>
    {
        Stream.Synchronize();
        Context.Allocator.Drain();
    });

    /// <summary>Frees cached device memory and the context reference.</summary>
    public void Dispose()
    {
        _blas?.Dispose();
        _blas = null;
        _errors.Dispose();
        Stream.Dispose();
        Context.Dispose();
    }
}
