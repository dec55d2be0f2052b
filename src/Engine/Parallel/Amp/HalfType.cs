namespace Engine.Amp;

/// <summary>The 16-bit float formats of mixed-precision training.</summary>
public enum HalfType
{
    /// <summary>IEEE binary16: 5 exponent bits, 10 mantissa bits; max 65504, smallest subnormal ≈ 6e-8 (needs loss scaling).</summary>
    Float16,
    /// <summary>bfloat16: float32's 8 exponent bits, 7 mantissa bits; float32's range, coarse precision.</summary>
    BFloat16,
}
