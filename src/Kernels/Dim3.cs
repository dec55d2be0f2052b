namespace Engine.Kernels;

/// <summary>Grid or block dimensions of a kernel launch (CUDA's dim3).</summary>
public readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    /// <summary>A 1-D shape.</summary>
    public static implicit operator Dim3(int x) => new((uint)x);

    /// <inheritdoc/>
    public override string ToString() => Y == 1 && Z == 1 ? X.ToString() : $"({X}, {Y}, {Z})";
}
