namespace Engine.Kernels.Checks;

/// <summary>
/// The teaching SGEMM ladder of kernels.cu (naive → coalesced → shared-memory tiles → 2-D block
/// tiles → float4), each rung checked against cuBLAS (TF32 off) at a ragged size and timed at a
/// square one. Row-major C = A·B throughout.
/// </summary>
internal static class SgemmLadder
{
    /// <summary>One rung: kernel name, block shape and how the grid follows from (M, N).</summary>
    internal sealed record Rung(string Kernel, string Idea, Dim3 Block, Func<int, int, Dim3> Grid, bool NeedsMultipleOf4 = false);

    public static readonly Rung[] Rungs =
    [
        new("sgemm_naive", "one thread per C element, threads walk rows (uncoalesced)", new Dim3(32, 32), (m, n) => new Dim3((uint)((m + 31) / 32), (uint)((n + 31) / 32))),
        new("sgemm_coalesced", "threads walk columns: coalesced B reads and C writes", new Dim3(32, 32), (m, n) => new Dim3((uint)((n + 31) / 32), (uint)((m + 31) / 32))),
        new("sgemm_smem_tiled", "32×32 tiles of A and B in shared memory", new Dim3(32, 32), (m, n) => new Dim3((uint)((n + 31) / 32), (uint)((m + 31) / 32))),
        new("sgemm_block_tiled_2d", "128×128 block tile, 8×8 outputs per thread in registers", new Dim3(256), (m, n) => new Dim3((uint)((n + 127) / 128), (uint)((m + 127) / 128))),
        new("sgemm_vectorized", "rung 4 with float4 loads and stores", new Dim3(256), (m, n) => new Dim3((uint)((n + 127) / 128), (uint)((m + 127) / 128)), NeedsMultipleOf4: true),
    ];

    /// <summary>A result row: normwise relative error vs cuBLAS at the check size, time and GFLOP/s at the timing size.</summary>
    internal sealed record Result(string Kernel, string Idea, double MaxRelError, double Milliseconds, double Gflops, double FractionOfCublas);

    /// <summary>Runs every rung; <paramref name="checkSize"/> should not be a multiple of any tile (but of 4).</summary>
    public static List<Result> Run(CudaBackend backend, int checkSize = 1020, int timeSize = 4096, int reps = 3)
    {
        var results = new List<Result>();
        var (want, _) = Multiply(backend, null, checkSize, 0);
        double cublasMs = 0;
        if (backend.Blas is not null) (_, cublasMs) = Multiply(backend, null, timeSize, reps);
        double flops = 2.0 * timeSize * timeSize * timeSize;
        if (backend.Blas is not null) results.Add(new Result("cublasSgemm", "cuBLAS, TF32 off (the yardstick)", 0, cublasMs, flops / (cublasMs * 1e-3) / 1e9, 1));
        foreach (var rung in Rungs)
        {
            var (got, _) = Multiply(backend, rung, checkSize, 0);
            var (_, ms) = Multiply(backend, rung, timeSize, reps);
            double gflops = flops / (ms * 1e-3) / 1e9;
            results.Add(new Result(rung.Kernel, rung.Idea, OpCheck.NormRelError(got, want), ms, gflops, cublasMs > 0 ? cublasMs / ms : 0));
        }
        return results;
    }

    /// <summary>C = A·B at n×n×n with seeded inputs by a rung (or cuBLAS / the matmul kernel when null); the result and the median ms over reps.</summary>
    private static (double[] C, double Ms) Multiply(CudaBackend backend, Rung? rung, int n, int reps)
    {
        var g = new Generator(7);
        using var a = Tensor.Randn([n, n], generator: g).To(backend.Device);
        using var b = Tensor.Randn([n, n], generator: g).To(backend.Device);
        using var c = Tensor.Zeros([n, n], DType.Float32, backend.Device);
        if (rung is { NeedsMultipleOf4: true } && n % 4 != 0) throw new ArgumentException($"{rung.Kernel} needs sizes that are multiples of 4, got {n}.");
        Action run = rung is null
            ? () => backend.MatMul(a, b, c)
            : () => backend.Context.LoadKernel(rung.Kernel).Launch(rung.Grid(n, n), rung.Block, 0, backend.Stream.Pointer,
                n, n, n, 1f, (IDevicePointer)a.Storage, (IDevicePointer)b.Storage, 0f, (IDevicePointer)c.Storage);
        double ms = reps > 0 ? OpCheck.Time(backend, run, reps) : 0;
        if (reps == 0) run();
        return (reps == 0 ? c.ToDoubleArray() : [], ms);
    }
}
