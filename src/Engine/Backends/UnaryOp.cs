namespace Engine;

/// <summary>Elementwise functions of one tensor: y[i] = f(x[i]).</summary>
public enum UnaryOp
{
    /// <summary>−x</summary>
    Neg,
    /// <summary>e^x</summary>
    Exp,
    /// <summary>ln x</summary>
    Log,
    /// <summary>√x</summary>
    Sqrt,
    /// <summary>|x|</summary>
    Abs,
    /// <summary>x²</summary>
    Square,
    /// <summary>max(x, 0)</summary>
    Relu,
    /// <summary>1 / (1 + e^−x)</summary>
    Sigmoid,
    /// <summary>tanh x</summary>
    Tanh,
    /// <summary>sign x (−1, 0, 1)</summary>
    Sign,
    /// <summary>x rounded to IEEE float16 and back (round to nearest even, ±∞ past 65504); mixed precision without a 16-bit dtype.</summary>
    RoundFloat16,
    /// <summary>x rounded to bfloat16 and back (float32's top 16 bits, round to nearest even).</summary>
    RoundBFloat16,
}
