using Tn = Engine.Tensor;

namespace Engine.Hostile;

/// <summary>
/// Random arguments for one fuzz call, good and bad mixed: tensors of random rank (0–4), shape (zeros
/// included), dtype, values (NaN and ±∞ sprinkled), some disposed, some requiring grad; integers that are
/// small, negative or huge; doubles that are NaN or infinite. Every draw is described in <see cref="Text"/>.
/// </summary>
public sealed class FuzzDraw(Random rng)
{
    private readonly List<string> _parts = new();

    /// <summary>The arguments drawn so far, for the call's description.</summary>
    public string Text => string.Join(", ", _parts);

    /// <summary>The generator, for choices that are not arguments.</summary>
    public Random Rng => rng;

    public bool Chance(double p) => rng.NextDouble() < p;

    public T Pick<T>(params T[] items) => items[rng.Next(items.Length)];

    /// <summary>An integer argument: mostly small, sometimes 0, negative or huge.</summary>
    public int Int(string name, int small = 4)
    {
        int v = rng.Next(10) switch
        {
            < 6 => rng.Next(1, small + 1),
            6 => 0,
            7 => Pick(-1, -2, -7),
            8 => Pick(int.MaxValue, int.MinValue, 65536, 40000),
            _ => rng.Next(1, 3 * small),
        };
        _parts.Add($"{name}={v}");
        return v;
    }

    /// <summary>An axis argument: mostly within [−rank, rank), sometimes outside.</summary>
    public int Axis(string name, int rank)
    {
        int r = Math.Max(rank, 1);
        int v = Chance(0.8) ? rng.Next(-r, r) : Pick(r, -r - 1, 5, int.MaxValue, int.MinValue);
        _parts.Add($"{name}={v}");
        return v;
    }

    /// <summary>A double argument: mostly ordinary, sometimes 0, negative, NaN or infinite.</summary>
    public double Double(string name, double typical = 0.5)
    {
        double v = rng.Next(10) switch
        {
            < 6 => typical * (0.5 + rng.NextDouble()),
            6 => 0,
            7 => -typical,
            8 => Pick(double.NaN, double.PositiveInfinity, double.NegativeInfinity),
            _ => Pick(1.0, 2.0, 1e308, -1e-300),
        };
        _parts.Add($"{name}={v}");
        return v;
    }

    /// <summary>A shape: rank 0–4 (or <paramref name="rank"/>), dims 0–5, sometimes negative or huge.</summary>
    public int[] Shape(string name, int? rank = null, bool record = true)
    {
        int r = rank ?? rng.Next(5);
        var s = new int[r];
        for (int i = 0; i < r; i++) s[i] = rng.Next(12) switch { 0 => 0, 1 => 1, < 10 => rng.Next(1, 5), _ => 5 };
        if (record) _parts.Add($"{name}={Tn.ShapeString(s)}");
        return s;
    }

    /// <summary>A shape for creation ops: ordinary, with a negative dim, or huge (more elements than a tensor holds).</summary>
    public int[] CreationShape(string name)
    {
        int[] s = rng.Next(10) switch
        {
            < 6 => Shape(name, record: false),
            6 => [2, -3],
            7 => [1 << 30, 1 << 30, 16],
            8 => [65536, 65536],
            _ => [int.MaxValue],
        };
        _parts.Add($"{name}={Tn.ShapeString(s)}");
        return s;
    }

    /// <summary>A shape broadcast-compatible with <paramref name="s"/> (often), equal (often) or unrelated.</summary>
    public int[] Like(int[] s) => rng.Next(10) switch
    {
        < 4 => (int[])s.Clone(),
        < 7 => s.Skip(rng.Next(s.Length + 1)).Select(d => Chance(0.3) ? 1 : d).ToArray(),
        _ => Shape("", record: false),
    };

    /// <summary>A tensor argument (see the class summary); <paramref name="shape"/> fixes its shape.</summary>
    public Tensor Tensor(string name, int[]? shape = null, bool floatOnly = false)
    {
        // Sizes drawn for other arguments (negative, huge) are clamped: the tensor itself is always makeable.
        var s = (shape ?? Shape("", record: false)).Select(v => Math.Clamp(v, 0, 6)).ToArray();
        var dtype = floatOnly ? DType.Float32 : rng.Next(10) switch { < 6 => DType.Float32, < 8 => DType.Float64, 8 => DType.Int32, _ => DType.Int64 };
        long n = Tn.SizeOf(s);
        var values = new double[n];
        bool special = Chance(0.1);
        for (int i = 0; i < n; i++)
            values[i] = special && Chance(0.3) ? Pick(double.NaN, double.PositiveInfinity, double.NegativeInfinity) : Math.Round(rng.NextDouble() * 4 - 2, 3);
        if (!dtype.IsFloat()) for (int i = 0; i < n; i++) values[i] = double.IsFinite(values[i]) ? Math.Round(values[i]) + 1 : 0;
        var t = Tn.FromArray(values, s).To(dtype);
        var tags = new List<string>();
        if (special && dtype.IsFloat()) tags.Add("nan/inf");
        if (dtype.IsFloat() && Chance(0.2)) { t.RequiresGrad = true; tags.Add("grad"); }
        if (Chance(0.05)) { t.Dispose(); tags.Add("disposed"); }
        _parts.Add($"{name}={dtype.Name()}{Tn.ShapeString(s)}{(tags.Count > 0 ? "(" + string.Join(",", tags) + ")" : "")}");
        return t;
    }

    /// <summary>Integer class labels [n] in 0..classes−1, sometimes out of range, sometimes float.</summary>
    public Tensor Labels(string name, int n, int classes)
    {
        var v = Enumerable.Range(0, Math.Max(n, 0)).Select(_ => Chance(0.05) ? Pick(-1, classes) : rng.Next(Math.Max(classes, 1))).ToArray();
        var t = Chance(0.9) ? Tn.FromArray(v) : Tn.FromArray(v.Select(x => (float)x).ToArray());
        _parts.Add($"{name}={t.DType.Name()}[{v.Length}]");
        return t;
    }

    /// <summary>A dtype argument.</summary>
    public DType DTypeArg(string name)
    {
        var d = Pick(DType.Float32, DType.Float64, DType.Int32, DType.Int64);
        _parts.Add($"{name}={d.Name()}");
        return d;
    }

    /// <summary>A device: mostly the CPU, sometimes a CUDA device (absent on a machine without one, or out of range).</summary>
    public Device DeviceArg(string name)
    {
        var dev = rng.Next(10) switch { < 7 => Device.Cpu, < 9 => Device.Cuda(0), _ => Device.Cuda(7) };
        _parts.Add($"{name}={dev}");
        return dev;
    }

    /// <summary>A reduction argument: mostly valid.</summary>
    public string Reduction() { var r = Pick("mean", "sum", "none", "avg"); _parts.Add($"reduction={r}"); return r; }
}
