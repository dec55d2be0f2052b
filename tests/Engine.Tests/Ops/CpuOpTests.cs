using NUnit.Framework;
using Engine.Kernels.Checks;

namespace Engine.Tests.Ops;

/// <summary>The CPU reference backend against independent formulas (runs everywhere).</summary>
[TestFixture]
public sealed class CpuOpTests : OpSuite
{
    protected override Device Device => Device.Cpu;

    [Test]
    public void ErrorMeasuresAreRelativeToTheTensorScale()
    {
        Assert.That(OpCheck.MaxRelError([1.0, 2.0], [1.0, 2.0]), Is.EqualTo(0));
        Assert.That(OpCheck.MaxRelError([1.001, 2.0], [1.0, 2.0]), Is.EqualTo(1e-3).Within(1e-12));
        // 1e-9 off an entry of 1e-8 in a tensor whose scale is 1: judged against 1e-3, not 1e-8.
        Assert.That(OpCheck.MaxRelError([1.0, 1.1e-8], [1.0, 1e-8]), Is.EqualTo(1e-6).Within(1e-12));
        Assert.That(OpCheck.MaxRelError([double.NaN], [1.0]), Is.EqualTo(double.PositiveInfinity));
        // Sums are judged normwise: 1e-6 off a cancelled entry of a tensor whose largest entry is 10.
        Assert.That(OpCheck.NormRelError([10.0, 1e-6 + 1e-9], [10.0, 1e-9]), Is.EqualTo(1e-7).Within(1e-15));
        Assert.That(OpCheck.NormRelError([double.NaN, 1], [1.0, 1]), Is.EqualTo(double.PositiveInfinity));
    }

    [Test]
    public void FloatToIntegerCastsTruncateTowardZeroLikePyTorch()
    {
        // torch.tensor([2.7, -2.7, 0.5, 1.5, -0.5, 3e9]).to(torch.int32) → [2, -2, 0, 1, 0, (overflow)];
        // the engine saturates the overflow at int.MaxValue and gives 0 for NaN, like the CUDA kernel.
        using var x = Tensor.FromArray(new[] { 2.7f, -2.7f, 0.5f, 1.5f, -0.5f, 3e9f, float.NaN });
        using var i32 = x.To(DType.Int32);
        Assert.That(i32.ToArray<int>(), Is.EqualTo(new[] { 2, -2, 0, 1, 0, int.MaxValue, 0 }));
        using var i64 = Tensor.FromArray(new[] { 2.99, -7.5 }).To(DType.Int64);
        Assert.That(i64.ToArray<long>(), Is.EqualTo(new[] { 2L, -7L }));
        using var wrapped = Tensor.FromArray(new[] { (1L << 32) + 5, -1L }).To(DType.Int32);
        Assert.That(wrapped.ToArray<int>(), Is.EqualTo(new[] { 5, -1 }));
        using var back = Tensor.FromArray(new[] { 3, -4 }).To(DType.Int64).To(DType.Float32);
        Assert.That(back.ToArray<float>(), Is.EqualTo(new[] { 3f, -4f }));
    }

    [Test]
    public void ToleranceForGivesElementwise1e6Reduction1e4ExactZero()
    {
        Assert.That(OpCase.ToleranceFor(OpKind.Elementwise, DType.Float32), Is.EqualTo(1e-6));
        Assert.That(OpCase.ToleranceFor(OpKind.Reduction, DType.Float32), Is.EqualTo(1e-4));
        Assert.That(OpCase.ToleranceFor(OpKind.Exact, DType.Float32), Is.EqualTo(0));
    }

    [Test]
    public void EveryOpOfTheTableHasACase()
    {
        string[] notOps = ["get_Device", "Allocate", "AllocateUninitialized", "CopyFromHost", "CopyToHost", "Synchronize"];
        var ops = typeof(IBackend).GetMethods().Select(m => m.Name).Where(n => !notOps.Contains(n)).ToHashSet();
        var covered = OpCases.All().Select(c => c.Name.Split(' ', '.')[0]).ToHashSet();
        Assert.That(ops.Except(covered), Is.Empty, "IBackend ops without a cross-check case");
    }

    [Test]
    public void InputsAreNeverZeroAndSizesAreNotBlockMultiples()
    {
        foreach (var c in OpCases.All().Where(c => c.Name.StartsWith("Unary", StringComparison.Ordinal) || c.Name.StartsWith("MatMul", StringComparison.Ordinal)))
        {
            if (c.Name.Contains(", 0]·[0, ", StringComparison.Ordinal)) continue; // the empty-K GEMM case is empty on purpose
            if (c.Name.Contains(" edges", StringComparison.Ordinal)) continue; // the edge cases hold 0, −0, NaN, ±∞ on purpose
            var inputs = c.Inputs(new Generator(1));
            foreach (var t in inputs)
            {
                Assert.That(t.ToDoubleArray().Count(v => v == 0), Is.Zero, $"{c.Name}: zero in the inputs");
                Assert.That(t.Size % 32, Is.Not.Zero, $"{c.Name}: size {t.Size} is a multiple of 32");
                t.Dispose();
            }
        }
    }

    [Test]
    public void RecycledMemoryStepIsFiniteAndRepeatableOnTheCpu()
    {
        // gpu-check runs this step on CUDA over NaN-poisoned recycled memory and compares it with these values.
        var a = RecycledMemoryCheck.Step(Device.Cpu);
        var b = RecycledMemoryCheck.Step(Device.Cpu);
        Assert.That(a, Has.Length.EqualTo(18 + 18 + 540 + 72 + 4 + 480));
        Assert.That(a.All(double.IsFinite), "the step's values must be finite");
        Assert.That(a.Count(v => v != 0), Is.GreaterThan(a.Length / 2), "most gradients of the step are nonzero");
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void EveryCudaKernelNamedByTheCasesIsInThePtx()
    {
        var ptx = Engine.Kernels.KernelLibrary.EmbeddedPtx;
        Assert.That(ptx, Is.Not.Null, "Engine.Kernels was built without src/Kernels/Ptx/kernels.ptx; run `make ptx` before building");
        string text = System.Text.Encoding.UTF8.GetString(ptx!);
        var kernels = OpCases.All().SelectMany(c => c.Kernel.Split(" + ")).Where(k => !k.StartsWith("cu", StringComparison.Ordinal)).Distinct().ToList();
        kernels.AddRange(["matmul_f32", "matmul_f64", "sgemm_naive", "sgemm_coalesced", "sgemm_smem_tiled", "sgemm_block_tiled_2d", "sgemm_vectorized"]);
        var missing = kernels.Where(k => !text.Contains($".entry {k}(", StringComparison.Ordinal)).ToList();
        Assert.That(missing, Is.Empty, "kernels the backend launches but kernels.cu does not define");
    }
}
