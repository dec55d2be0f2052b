using Engine.Kernels;
using NUnit.Framework;

namespace Engine.Tests.Ops;

/// <summary>
/// The CUDA side's size arithmetic above 2^31 (a tensor that large fits on a 141 GB H200): the axis view of
/// reductions and the matmul fallback's tile count and grid are 64-bit, and the grid stays within the
/// device's limits however many tiles there are (the kernel strides over the rest; KernelEmulationTests
/// runs it on fewer blocks than tiles).
/// </summary>
[TestFixture]
public sealed class KernelSizeTests
{
    [Test]
    public void AxisViewIsExactAboveTwoToThe31()
    {
        // [65536, 65536, 3] around axis 2: 2^32 outputs; around axis 0: inner = 3·2^16.
        var v = AxisView.Of([65536, 65536, 3], 2);
        Assert.That((v.Outer, v.N, v.Inner, v.Rows), Is.EqualTo((1L << 32, 3L, 1L, 1L << 32)));
        v = AxisView.Of([3, 65536, 65536], 0);
        Assert.That((v.Outer, v.N, v.Inner, v.Rows), Is.EqualTo((1L, 3L, 1L << 32, 1L << 32)));
        v = AxisView.Of([46341, 46341, 2], 1);
        Assert.That(v.Outer * v.N * v.Inner, Is.EqualTo(46341L * 46341 * 2), "2·46341² > 2^32");
        Assert.That(AxisView.Of([], 0), Is.EqualTo(new AxisView(1, 1, 1)));
    }

    [Test]
    public void ReductionsStrideACappedGridOverTheirRows()
    {
        // A sum over axis 1 of [65536, 2, 32769]: 2^16 · 32769 > 2^31 outputs, more than a grid of one block per row holds.
        var v = AxisView.Of([65536, 2, 32769], 1);
        Assert.That(v.Rows, Is.EqualTo(65536L * 32769));
        Assert.That(CudaBackend.RowBlocks(v.Rows), Is.EqualTo(CudaBackend.MaxRowBlocks));
        Assert.That(CudaBackend.RowBlocks(407), Is.EqualTo(407));
        Assert.That(CudaBackend.RowBlocks(0), Is.Zero);
    }

    [Test]
    public void TheCpuAxisViewRefusesWhatAnIntCannotHold()
    {
        Assert.That(CpuBackend.AxisView([7, 5, 3], 1), Is.EqualTo((7, 5, 3)));
        Assert.Throws<OverflowException>(() => CpuBackend.AxisView([65536, 65536, 3], 2));
    }

    [Test]
    public void MatMulTilesAreCountedIn64BitsAndTheGridStaysInBounds()
    {
        // A conv's im2col GEMM with M = N·OH·OW = 2^24 rows, 2^12 columns, batch 64: 2^34 tiles of 16×16.
        var (tiles, blocks) = CudaBackend.MatMulTiles(1L << 24, 1L << 12, 64, 65535u * 8);
        Assert.That(tiles, Is.EqualTo(1L << 34));
        Assert.That(blocks, Is.EqualTo(65535u * 8), "a 1-D grid, capped; the kernel strides over the other tiles");
        // ⌈M/16⌉ = 65536 row tiles: more than gridDim.y allows (65535), which the old 3-D grid put there.
        (tiles, blocks) = CudaBackend.MatMulTiles(65536L * 16, 3, 1, 65535u * 8);
        Assert.That((tiles, blocks), Is.EqualTo((65536L, 65536u)));
        // Small problems get one block per tile; partial tiles count.
        Assert.That(CudaBackend.MatMulTiles(37, 29, 2, 65535u * 8), Is.EqualTo((12L, 12u)));
        Assert.That(CudaBackend.MatMulTiles(37, 29, 2, 3), Is.EqualTo((12L, 3u)));
    }
}
