namespace Engine.Kernels;

/// <summary>
/// A CUDA driver, cuBLAS or NVRTC call failed: the error's name (CUDA_ERROR_OUT_OF_MEMORY,
/// CUBLAS_STATUS_…), its code and what was being done (the op and its shapes).
/// </summary>
public sealed class CudaException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public CudaException(int code, string errorName, string operation, Exception? inner = null)
        : base($"{operation}: {errorName} ({code})", inner)
    {
        Code = code;
        ErrorName = errorName;
        Operation = operation;
    }

    /// <summary>The numeric CUresult / cublasStatus_t / nvrtcResult.</summary>
    public int Code { get; }

    /// <summary>The error's symbolic name.</summary>
    public string ErrorName { get; }

    /// <summary>What was being done when it failed.</summary>
    public string Operation { get; }

    /// <summary>The same error with the op that caused it put in front (e.g. "Binary.Add a [3, 4] …").</summary>
    public CudaException In(string op) => new(Code, ErrorName, op + " → " + Operation, this);
}
