namespace Engine;

/// <summary>Element type of a tensor. Float32 is the default; Float64 serves gradient checks and exact book numbers.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float (the default, and the GPU's type).</summary>
    Float32,
    /// <summary>64-bit IEEE float (CPU reference, gradient checks).</summary>
    Float64,
    /// <summary>32-bit signed integer (class labels, indices).</summary>
    Int32,
    /// <summary>64-bit signed integer (class labels like PyTorch's LongTensor).</summary>
    Int64,
}
