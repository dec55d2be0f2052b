namespace Engine;

/// <summary>
/// Seeded random numbers (xoshiro256**), drawn on the CPU so a seed gives the same weights on every
/// device. <see cref="Default"/> is the generator used when none is passed (like torch.manual_seed).
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed = 0) => ManualSeed(seed);

    /// <summary>The process-wide default generator.</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>Restarts the sequence from <paramref name="seed"/>.</summary>
    public void ManualSeed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        _spareNormal = null;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n) => (int)(NextDouble() * n);

    /// <summary>Standard normal (Box–Muller, pairs).</summary>
    public double NextNormal()
    {
        if (_spareNormal is double s) { _spareNormal = null; return s; }
        double u1, u2;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        u2 = NextDouble();
        double r = Math.Sqrt(-2 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fills with N(0, 1) samples.</summary>
    public void FillNormal(Span<double> data)
    {
        for (int i = 0; i < data.Length; i++) data[i] = NextNormal();
    }

    /// <summary>Fills with U[low, high) samples.</summary>
    public void FillUniform(Span<double> data, double low, double high)
    {
        for (int i = 0; i < data.Length; i++) data[i] = low + (high - low) * NextDouble();
    }

    /// <summary>A random permutation of 0..n−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        if (n < 0 || n > Tensor.MaxElements)
            throw new ArgumentOutOfRangeException(nameof(n), $"Permutation: n must be in 0..{Tensor.MaxElements}, got {n}.");
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary>n indices drawn uniformly from 0..count−1 with replacement (np.random.choice).</summary>
    public int[] Choice(int count, int n)
    {
        if (n < 0 || n > Tensor.MaxElements)
            throw new ArgumentOutOfRangeException(nameof(n), $"Choice: n must be in 0..{Tensor.MaxElements}, got {n}.");
        if (count <= 0 && n > 0)
            throw new ArgumentOutOfRangeException(nameof(count), $"Choice: cannot draw {n} indices from {count} items.");
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = NextInt(count);
        return p;
    }
}
