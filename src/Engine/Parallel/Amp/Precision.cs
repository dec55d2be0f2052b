namespace Engine.Amp;

/// <summary>
/// Reduced-precision casts (the scalar functions here are the CPU reference; tensors are rounded by the
/// backend's <see cref="UnaryOp.RoundFloat16"/> / <see cref="UnaryOp.RoundBFloat16"/>, a kernel on CUDA). Tensors keep a float32 (or float64) dtype; their values
/// are rounded to what float16 (System.Half) or bfloat16 can hold, round-to-nearest-even, overflow to ±∞,
/// underflow to 0 — so a network computed on rounded values behaves numerically like one stored in
/// 16 bits, and the engine needs no 16-bit dtype. <see cref="Round"/> is differentiable: the gradient
/// flowing back is rounded too (gradients are half-precision in such training, which is why small ones
/// vanish without loss scaling).
/// </summary>
public static class Precision
{
    /// <summary>One value rounded to bfloat16: the top 16 bits of the float32, rounded to nearest even.</summary>
    public static float ToBFloat16(float x)
    {
        if (float.IsNaN(x)) return x;
        uint bits = BitConverter.SingleToUInt32Bits(x);
        bits += 0x7FFFu + ((bits >> 16) & 1u);
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000u);
    }

    /// <summary>One value rounded to IEEE float16 and back.</summary>
    public static float ToFloat16(float x) => (float)(Half)x;

    /// <summary>One value rounded to <paramref name="type"/>.</summary>
    public static float RoundValue(float x, HalfType type) => type == HalfType.Float16 ? ToFloat16(x) : ToBFloat16(x);

    /// <summary>y = x rounded to <paramref name="type"/> (same shape and dtype); the backward rounds the gradient the same way.</summary>
    public static Tensor Round(Tensor x, HalfType type)
    {
        var y = RoundCopy(x, type);
        return Autograd.Record(y, "Round" + type, [x], g => [RoundCopy(g, type)]);
    }

    /// <summary>Rounds every element of <paramref name="t"/> in place (no graph): master weights → 16-bit weights.</summary>
    public static void RoundInPlace(Tensor t, HalfType type)
    {
        CheckFloat(t, type);
        t.Backend.Unary(RoundOp(type), t, t); // the backend's unary ops may write over their input
    }

    /// <summary>Elements of <paramref name="t"/> that are non-zero but round to 0 in <paramref name="type"/> (underflow).</summary>
    public static long CountUnderflow(Tensor t, HalfType type)
    {
        long n = 0;
        foreach (double v in t.ToDoubleArray())
            if (v != 0 && RoundValue((float)v, type) == 0) n++;
        return n;
    }

    /// <summary>A rounded copy on x's device: the backend's RoundFloat16 / RoundBFloat16 op (kernels.cu on CUDA).</summary>
    private static Tensor RoundCopy(Tensor x, HalfType type)
    {
        CheckFloat(x, type);
        var y = Tensor.Empty(x.Shape, x.DType, x.Device); // the unary op writes every element
        x.Backend.Unary(RoundOp(type), x, y);
        return y;
    }

    private static UnaryOp RoundOp(HalfType type) => type == HalfType.Float16 ? UnaryOp.RoundFloat16 : UnaryOp.RoundBFloat16;

    private static void CheckFloat(Tensor x, HalfType type)
    {
        x.CheckAlive($"Round{type}");
        if (!x.DType.IsFloat()) throw new ArgumentException($"Round{type}: expected a float tensor; got {x.DType.Name()}.");
    }
}
