using Engine.Kernels;
using Engine.Kernels.Checks;
using NUnit.Framework;

namespace Engine.Tests.Ops;

/// <summary>
/// Tensor.UseDeterministicAlgorithms and the CUDA paths it selects (docs/gpu.md, "Determinism"): the flag, the
/// host-side grouping of IndexAdd's indices, and that the deterministic op cases (run through the emulated
/// driver by KernelEmulationTests, bit for bit against the CPU twin) launch their own kernels.
/// </summary>
[TestFixture]
public sealed class DeterministicKernelTests
{
    [Test]
    public void DeterministicAlgorithmsAreOffByDefaultAndSwitchable()
    {
        bool was = Tensor.AreDeterministicAlgorithmsEnabled;
        try
        {
            Tensor.UseDeterministicAlgorithms(true);
            Assert.That(Tensor.AreDeterministicAlgorithmsEnabled, Is.True);
            Tensor.UseDeterministicAlgorithms(false);
            Assert.That(Tensor.AreDeterministicAlgorithmsEnabled, Is.False);
        }
        finally
        {
            Tensor.UseDeterministicAlgorithms(was);
        }
    }

    [Test]
    public void TheDeterministicOpCasesRunTheirOwnKernels()
    {
        var cases = OpCases.All().Where(c => c.Name.EndsWith("deterministic", StringComparison.Ordinal)).ToList();
        Assert.That(cases.Select(c => c.Kernel).Distinct(), Is.SupersetOf(new[]
        {
            "index_add_deterministic_f32", "index_add_deterministic_f64",
            "max_pool2d_backward_deterministic_f32", "max_pool2d_backward_deterministic_f64",
        }));
        Assert.That(cases, Has.All.Matches<OpCase>(c => c.Kind == OpKind.Exact), "bit-identical to the CPU twin");
    }

    [Test]
    public void IndexSegmentsGroupTheIndicesByRowInIndexOrder()
    {
        // index [2, 0, 2, 3, 0, 2] into 5 rows: row 0 ← x rows 1, 4; row 2 ← 0, 2, 5; row 3 ← 3; rows 1 and 4 get nothing.
        var (order, starts, dest) = CudaBackend.IndexSegments([2, 0, 2, 3, 0, 2], 5, "IndexAdd");
        Assert.That(dest, Is.EqualTo(new[] { 0, 2, 3 }));
        Assert.That(starts, Is.EqualTo(new[] { 0, 2, 5, 6 }));
        Assert.That(order, Is.EqualTo(new[] { 1, 4, 0, 2, 5, 3 }));
        var empty = CudaBackend.IndexSegments([], 3, "IndexAdd");
        Assert.That((empty.Order.Length, empty.Starts, empty.Dest.Length), Is.EqualTo((0, new[] { 0 }, 0)));
    }

    [Test]
    public void IndexSegmentsNameABadIndex()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CudaBackend.IndexSegments([1, 0, 7], 5, "IndexAdd"));
        Assert.That(e!.Message, Does.Contain("IndexAdd: value 7 at row 2 is outside 0..4"));
        Assert.Throws<ArgumentOutOfRangeException>(() => CudaBackend.IndexSegments([-1], 5, "IndexAdd"));
    }
}
