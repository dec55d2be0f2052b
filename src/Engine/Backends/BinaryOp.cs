namespace Engine;

/// <summary>Elementwise functions of two tensors, broadcast to one shape: y[i] = f(a[i], b[i]).</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add,
    /// <summary>a − b</summary>
    Sub,
    /// <summary>a · b</summary>
    Mul,
    /// <summary>a / b</summary>
    Div,
    /// <summary>a ^ b</summary>
    Pow,
    /// <summary>max(a, b)</summary>
    Maximum,
    /// <summary>min(a, b)</summary>
    Minimum,
    /// <summary>1 where a &gt; b else 0</summary>
    Greater,
    /// <summary>1 where a == b else 0</summary>
    Equal,
}
