using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>The reuse of large host arrays by disposed CPU tensors (<see cref="CpuArrayPool"/>).</summary>
public class CpuArrayPoolTests
{
    [Test]
    public void ReusedArrayIsClearedAndSmallOrPinnedOnesAreNotKept()
    {
        CpuArrayPool.Clear(); // earlier tests may have filled it to its byte cap
        // 30 000 floats = 120 000 bytes ≥ MinBytes: its array goes back to the pool on Dispose.
        var first = Tensor.Ones([300, 100]);
        var array = ((CpuStorage)first.Storage).Data;
        first.Dispose();
        using var second = Tensor.Zeros([300, 100]);
        Assert.That(((CpuStorage)second.Storage).Data, Is.SameAs(array), "a freed 120 KB array is reused for the same size");
        Assert.That(second.ToArray<float>(), Is.All.EqualTo(0f), "a reused array comes back zero-filled");

        // A different dtype of the same length does not get it.
        var d = Tensor.Ones([300, 100], DType.Float64);
        var dArray = ((CpuStorage)d.Storage).Data;
        d.Dispose();
        using var f32 = Tensor.Zeros([300, 100]);
        Assert.That(((CpuStorage)f32.Storage).Data, Is.Not.SameAs(dArray));

        // Pinned arrays and small arrays are left to the GC.
        var pinned = new CpuStorage(DType.Float32, 30_000, pinned: true);
        var pinnedArray = pinned.Data;
        pinned.Release();
        var after = new CpuStorage(DType.Float32, 30_000);
        Assert.That(after.Data, Is.Not.SameAs(pinnedArray));
        after.Release();
        var small = Tensor.Ones([10, 100]);
        var smallArray = ((CpuStorage)small.Storage).Data;
        small.Dispose();
        using var small2 = Tensor.Zeros([10, 100]);
        Assert.That(((CpuStorage)small2.Storage).Data, Is.Not.SameAs(smallArray));
    }

    [Test]
    public void MatMulIntoAReusedUnclearedArrayOverwritesEveryElement()
    {
        // MatMul's output skips the zero-fill (AllocateUninitialized): a pooled array full of NaN must not show through,
        // also for K = 0, where the product is all zeros.
        var gen = new Generator(4);
        using var a = Tensor.Randn([300, 7], generator: gen);
        using var b = Tensor.Randn([7, 100], generator: gen);
        var expected = new double[300 * 100];
        Gemm.Reference(false, false, 300, 100, 7, 1.0, a.ToDoubleArray(), b.ToDoubleArray(), 0.0, expected);
        foreach (var (x, y, want) in new[] { (a, b, expected), (Tensor.Zeros([300, 0]), Tensor.Zeros([0, 100]), new double[300 * 100]) })
        {
            CpuArrayPool.Clear();
            var dirty = Tensor.Full([300, 100], double.NaN);
            var array = ((CpuStorage)dirty.Storage).Data;
            dirty.Dispose();
            using var c = x.MatMul(y);
            Assert.That(ReferenceEquals(((CpuStorage)c.Storage).Data, array), Is.True, "the product reuses the freed array");
            var got = c.ToDoubleArray();
            for (int i = 0; i < got.Length; i++) Assert.That(got[i], Is.EqualTo(want[i]).Within(1e-4), $"element {i}");
        }
    }

    [Test]
    public void UninitialisedAllocationTakesTheArrayAsItWasLeft()
    {
        CpuArrayPool.Clear();
        var first = Tensor.Full([300, 100], 2);
        var array = ((CpuStorage)first.Storage).Data;
        first.Dispose();
        var raw = Tensor.Empty([300, 100], DType.Float32, Device.Cpu);
        Assert.That(((CpuStorage)raw.Storage).Data, Is.SameAs(array), "the freed array is reused");
        Assert.That(raw.ToArray<float>(), Is.All.EqualTo(2f), "no clearing pass: the old values are still there");
        raw.Dispose();
        using var zeros = Tensor.Zeros([300, 100]);
        Assert.That(((CpuStorage)zeros.Storage).Data, Is.SameAs(array));
        Assert.That(zeros.ToArray<float>(), Is.All.EqualTo(0f), "Zeros still clears a reused array");
        using var fresh = Tensor.Empty([301, 100], DType.Float32, Device.Cpu);
        Assert.That(fresh.Size, Is.EqualTo(30_100), "a size the pool does not hold is allocated new");
    }
}
