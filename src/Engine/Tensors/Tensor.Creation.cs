namespace Engine;

public sealed partial class Tensor
{
    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32, Device? device = null) => Zeros("Zeros", shape, dtype, device);

    /// <summary>A zero-filled tensor; a bad shape is reported as an error of <paramref name="op"/>.</summary>
    internal static Tensor Zeros(string op, int[] shape, DType dtype, Device? device)
    {
        var d = device ?? Device.Cpu;
        long size = CheckedSize(op, shape);
        var backend = BackendFor(op, d);
        try { return new Tensor(backend.Allocate(dtype, size), (int[])shape.Clone()); }
        catch (OutOfMemoryException ex) { throw OutOfMemory(op, shape, dtype, d, ex); }
    }

    /// <summary>The backend of <paramref name="device"/>; an absent device is reported as an error of <paramref name="op"/>.</summary>
    internal static IBackend BackendFor(string op, Device device)
    {
        try { return device.Backend; }
        catch (DeviceUnavailableException ex) { throw new DeviceUnavailableException($"{op}: {ex.Message}"); }
    }

    /// <summary>A host array for the elements of <paramref name="shape"/> (values drawn on the CPU); sizes and failed allocations name <paramref name="op"/>.</summary>
    internal static double[] HostDoubles(string op, int[] shape)
    {
        long size = CheckedSize(op, shape);
        try { return new double[size]; }
        catch (OutOfMemoryException ex) { throw OutOfMemory(op, shape, DType.Float64, Device.Cpu, ex); }
    }

    /// <summary>An allocation that failed, told with the op, the shape and the bytes it asked for.</summary>
    internal static OutOfMemoryException OutOfMemory(string op, int[] shape, DType dtype, Device device, Exception inner) =>
        new($"{op}: out of memory allocating {ShapeString(shape)} {dtype.Name()} on {device} ({CheckedSize(op, shape) * dtype.SizeOf()} bytes). {inner.Message}", inner);

    /// <summary>
    /// A tensor with unspecified contents (<see cref="IBackend.AllocateUninitialized"/>), for an op output
    /// that is overwritten entirely before anything reads it.
    /// </summary>
    internal static Tensor Empty(int[] shape, DType dtype, Device device)
    {
        long size = CheckedSize("Empty", shape);
        try { return new(device.Backend.AllocateUninitialized(dtype, size), (int[])shape.Clone()); }
        catch (OutOfMemoryException ex) { throw OutOfMemory("Empty", shape, dtype, device, ex); }
    }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32, Device? device = null) => Full("Ones", shape, 1, dtype, device);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Full("Full", shape, value, dtype, device);

    private static Tensor Full(string op, int[] shape, double value, DType dtype, Device? device)
    {
        var t = Zeros(op, shape, dtype, device);
        if (value != 0) t.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A zero-filled tensor like <paramref name="other"/> (shape, dtype, device).</summary>
    public static Tensor ZerosLike(Tensor other)
    {
        other.CheckAlive("ZerosLike");
        return Zeros(other._shape, other.DType, other.Device);
    }

    /// <summary>A tensor of ones like <paramref name="other"/>.</summary>
    public static Tensor OnesLike(Tensor other)
    {
        other.CheckAlive("OnesLike");
        return Full(other._shape, 1, other.DType, other.Device);
    }

    /// <summary>Pinned host memory (for faster host→device copies, DataLoader pin_memory).</summary>
    public static Tensor ZerosPinned(int[] shape, DType dtype = DType.Float32) =>
        new(new CpuStorage(dtype, CheckedSize("ZerosPinned", shape), pinned: true), (int[])shape.Clone());

    /// <summary>
    /// A tensor from flat row-major data (float[], double[], int[] or long[]); the shape defaults to
    /// [data.Length]. The data is copied.
    /// </summary>
    public static Tensor FromArray<T>(T[] data, int[]? shape = null, Device? device = null) where T : unmanaged
    {
        int[] s = shape is null ? [data.Length] : (int[])shape.Clone();
        long size = CheckedSize("FromArray", s);
        if (size != data.Length)
            throw new ArgumentException($"FromArray: shape {ShapeString(s)} needs {size} values but {data.Length} were given.");
        var d = device ?? Device.Cpu;
        var t = new Tensor(BackendFor("FromArray", d).Allocate(DTypes.Of<T>(), data.Length), s);
        d.Backend.CopyFromHost(data, t);
        return t;
    }

    /// <summary>A matrix from a 2-D array, e.g. <c>Tensor.From(new double[,] {{1, 2}, {3, 4}})</c>.</summary>
    public static Tensor From<T>(T[,] data, Device? device = null) where T : unmanaged
    {
        int r = data.GetLength(0), c = data.GetLength(1);
        var flat = new T[CheckedSize("From", [r, c])];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) flat[i * c + j] = data[i, j];
        return FromArray(flat, [r, c], device);
    }

    /// <summary>A 0-d tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    /// <summary>0, 1, …, n−1.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32, Device? device = null)
    {
        CheckedSize("Arange", [n]);
        var data = new double[n];
        for (int i = 0; i < n; i++) data[i] = i;
        using var t = FromArray(data, [n], device);
        return t.To(dtype);
    }

    /// <summary>Samples of N(0, 1), drawn on the CPU from <paramref name="generator"/> (or the default one) so every device gets the same numbers.</summary>
    public static Tensor Randn(int[] shape, DType dtype = DType.Float32, Device? device = null, Generator? generator = null, bool requiresGrad = false)
    {
        var g = generator ?? Generator.Default;
        BackendFor("Randn", device ?? Device.Cpu);
        var data = HostDoubles("Randn", shape);
        g.FillNormal(data);
        return FromDoubles(data, shape, dtype, device, requiresGrad);
    }

    /// <summary>Samples of U[low, high), drawn on the CPU.</summary>
    public static Tensor Rand(int[] shape, double low = 0, double high = 1, DType dtype = DType.Float32, Device? device = null, Generator? generator = null, bool requiresGrad = false)
    {
        if (!(low <= high) || !double.IsFinite(high - low))
            throw new ArgumentException($"Rand: expected a finite range low ≤ high, got [{low}, {high}).");
        var g = generator ?? Generator.Default;
        BackendFor("Rand", device ?? Device.Cpu);
        var data = HostDoubles("Rand", shape);
        g.FillUniform(data, low, high);
        return FromDoubles(data, shape, dtype, device, requiresGrad);
    }

    internal static Tensor FromDoubles(double[] data, int[] shape, DType dtype, Device? device, bool requiresGrad = false)
    {
        Tensor t;
        if (dtype == DType.Float64) t = FromArray(data, shape, device);
        else
        {
            using var d64 = FromArray(data, shape);
            using var cast = d64.To(dtype);
            t = cast.To(device ?? Device.Cpu, copy: true);
        }
        t.RequiresGrad = requiresGrad;
        return t;
    }

    // ---- host access -----------------------------------------------------------------------

    /// <summary>All elements as a flat host array of T (T must match the dtype; use To(dtype) first otherwise).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckAlive("ToArray");
        if (DTypes.Of<T>() != DType)
            throw new InvalidOperationException($"ToArray<{typeof(T).Name}> on a {DType.Name()} tensor; call .To(DType.{DTypes.Of<T>()}) first.");
        var a = new T[Size];
        Backend.CopyToHost(this, a);
        return a;
    }

    /// <summary>All elements converted to double, flat.</summary>
    public double[] ToDoubleArray()
    {
        CheckAlive("ToDoubleArray");
        if (DType == DType.Float64) return ToArray<double>();
        using var d = To(DType.Float64);
        return d.ToArray<double>();
    }

    /// <summary>The value of a one-element tensor (like .item()).</summary>
    public double Item()
    {
        CheckAlive("Item");
        if (Size != 1) throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {ShapeString(_shape)}.");
        return ToDoubleArray()[0];
    }

    /// <summary>A 2-D tensor as double[rows, cols] (handy for printing and tests).</summary>
    public double[,] ToMatrix()
    {
        CheckAlive("ToMatrix");
        if (Rank != 2) throw new InvalidOperationException($"ToMatrix needs a 2-D tensor; got shape {ShapeString(_shape)}.");
        var flat = ToDoubleArray();
        var m = new double[_shape[0], _shape[1]];
        for (int i = 0; i < _shape[0]; i++)
            for (int j = 0; j < _shape[1]; j++) m[i, j] = flat[i * _shape[1] + j];
        return m;
    }

    /// <summary>The elements on the CPU as a span (CPU tensors only; for readable reference code).</summary>
    internal Span<T> Span<T>() where T : unmanaged
    {
        if (Storage is not CpuStorage cpu)
            throw new InvalidOperationException($"Direct element access needs a CPU tensor; this one is on {Device}.");
        if (DTypes.Of<T>() != DType)
            throw new InvalidOperationException($"Span<{typeof(T).Name}> on a {DType.Name()} tensor.");
        return cpu.Span<T>();
    }

    // ---- devices and dtypes -------------------------------------------------------------------

    /// <summary>This tensor on <paramref name="device"/> (itself when already there, unless <paramref name="copy"/>).</summary>
    public Tensor To(Device device, bool copy = false)
    {
        CheckAlive("To");
        if (device == Device && !copy) return this;
        BackendFor("To", device);
        var t = new Tensor(device.Backend.Allocate(DType, Size), (int[])_shape.Clone());
        if (device == Device) Backend.Copy(this, t);
        else if (Device.Type == DeviceType.Cpu) device.Backend.CopyFromHost(((CpuStorage)Storage).Data, t);
        else if (device.Type == DeviceType.Cpu) Backend.CopyToHost(this, ((CpuStorage)t.Storage).Data);
        else
        {
            using var host = To(Device.Cpu);
            device.Backend.CopyFromHost(((CpuStorage)host.Storage).Data, t);
        }
        return Autograd.Record(t, "To", [this], g => [g.To(Device)]);
    }

    /// <summary>This tensor converted to <paramref name="dtype"/> (a new tensor; itself when already of that dtype).</summary>
    public Tensor To(DType dtype)
    {
        CheckAlive("To");
        if (dtype == DType) return this;
        var t = new Tensor(Backend.Allocate(dtype, Size), (int[])_shape.Clone());
        Backend.Cast(this, t);
        return dtype.IsFloat() && DType.IsFloat() ? Autograd.Record(t, "Cast", [this], g => [g.To(DType)]) : t;
    }

    /// <summary>Same as To(Device.Cpu).</summary>
    public Tensor Cpu() => To(Device.Cpu);

    /// <summary>Same as To(Device.Cuda(index)).</summary>
    public Tensor Cuda(int index = 0) => To(Device.Cuda(index));

    /// <summary>A copy with its own memory and no graph history.</summary>
    public Tensor Clone()
    {
        CheckAlive("Clone");
        var t = new Tensor(Backend.Allocate(DType, Size), (int[])_shape.Clone());
        Backend.Copy(this, t);
        return t;
    }

    /// <summary>Moves this tensor's data to <paramref name="device"/> in place (same object; used by Module.To).</summary>
    internal void MoveTo(Device device)
    {
        if (device == Device) return;
        using var moved = To(device, copy: true);
        var storage = moved.Storage;
        storage.Retain();
        var old = Interlocked.Exchange(ref _storage, storage);
        MemoryCounters.AddTensor(device, 1);
        if (old is not null) MemoryCounters.AddTensor(old.Device, -1);
        old?.Release();
        if (Grad is not null) Grad.MoveTo(device);
    }
}
