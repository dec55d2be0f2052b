namespace Engine.Kernels.Checks;

/// <summary>Tolerance class of an op: elementwise maps, sums/GEMM (rounding order differs), or exact integers.</summary>
internal enum OpKind
{
    /// <summary>One rounding per element: fp32 ≤ 1e-6 relative.</summary>
    Elementwise,
    /// <summary>Sums in a different order (reductions, GEMM, atomics): fp32 ≤ 1e-4 relative.</summary>
    Reduction,
    /// <summary>Integer results (indices, casts to int): exact.</summary>
    Exact,
    /// <summary>Softmax outputs, judged element by element against each probability itself (floor: the
    /// format's smallest normal number): fp32 ≤ 1e-5, fp64 ≤ 1e-12.</summary>
    Probabilities,
    /// <summary>Log-softmax outputs, judged element by element: absolute below 1, relative above: fp32 ≤ 1e-6, fp64 ≤ 1e-13.</summary>
    LogProbabilities,
}

/// <summary>
/// One cross-check case of the op table: how to draw inputs (on the CPU, from a seeded generator,
/// never zeros, sizes that are not multiples of a block), how to allocate outputs, how to run the op
/// on a backend, and — for the CPU fixture — an independent formula giving the expected outputs.
/// The same cases back the NUnit suites (tests/Engine.Tests/Ops) and `chapters gpu-check`.
/// </summary>
internal sealed class OpCase
{
    /// <summary>"ReluBackward", "Binary.Add [203, 37] + [37]", …</summary>
    public required string Name { get; init; }

    /// <summary>The kernel of kernels.cu it launches on CUDA (f32 or f64 name).</summary>
    public required string Kernel { get; init; }

    public required OpKind Kind { get; init; }

    public required DType DType { get; init; }

    /// <summary>CPU input tensors from a generator.</summary>
    public required Func<Generator, Tensor[]> Inputs { get; init; }

    /// <summary>Fresh outputs on the inputs' device: NaN-prefilled (OpCases.Unwritten) for outputs the op overwrites,
    /// zero-filled for ones it adds into, clones of inputs for in-place ops.</summary>
    public required Func<Tensor[], Tensor[]> Outputs { get; init; }

    /// <summary>Runs the op once on the backend.</summary>
    public required Action<IBackend, Tensor[], Tensor[]> Execute { get; init; }

    /// <summary>Expected outputs from the inputs (as doubles) by a plain formula; null when only the CPU twin is the reference.</summary>
    public Func<double[][], double[][]>? Reference { get; init; }

    /// <summary>
    /// For elementwise and exact kinds: the absolute floor of each element's relative error (default null:
    /// 1e-3 of the largest finite |value|). Edge cases set the format's smallest normal number, so a tiny
    /// or denormal result beside ±1e4 is still judged against itself.
    /// </summary>
    public double? Floor { get; init; }

    /// <summary>Indices of the outputs that are compared (default: all).</summary>
    public int[]? Compared { get; init; }

    /// <summary>Floating-point operations per run (GEMM); 0 means report GB/s.</summary>
    public double Flops { get; init; }

    /// <summary>Bytes read and written per run (default: all inputs once plus all outputs once).</summary>
    public Func<Tensor[], Tensor[], long>? Bytes { get; init; }

    /// <summary>The tolerance of this case: by op kind and dtype, from ToleranceFor (TF32 off).</summary>
    public double Tolerance => ToleranceFor(Kind, DType);

    /// <summary>fp32 elementwise 1e-6, fp32 reductions/GEMM 1e-4; fp64 1e-12 / 1e-10; exact 0; softmax and log-softmax as their kinds say.</summary>
    public static double ToleranceFor(OpKind kind, DType dtype) => (kind, dtype) switch
    {
        (OpKind.Exact, _) => 0,
        (OpKind.Probabilities, DType.Float64) => 1e-12,
        (OpKind.Probabilities, _) => 1e-5,
        (OpKind.LogProbabilities, DType.Float64) => 1e-13,
        (OpKind.LogProbabilities, _) => 1e-6,
        (OpKind.Elementwise, DType.Float64) => 1e-12,
        (OpKind.Reduction, DType.Float64) => 1e-10,
        (OpKind.Elementwise, _) => 1e-6,
        _ => 1e-4,
    };

    public override string ToString() => Name;
}
