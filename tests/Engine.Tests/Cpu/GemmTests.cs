using System.Numerics;
using NUnit.Framework;

namespace Engine.Tests.Cpu;

/// <summary>The packed GEMM against the plain triple loop (computed in double) on awkward shapes.</summary>
public class GemmTests
{
    /// <summary>
    /// Shapes that are not multiples of MR (6), NR (8–32), MC, KC (1024) or NC (1024), plus vectors and K = 1;
    /// the unpacked-A path (N ≤ 128, K up to 1024 in one slice, or K ≤ 256), the packed one (N &gt; 128, K &gt; 256:
    /// one K slice, three equal slices at K = 2100, two B panels at N = 1030), B read in place (narrow, not
    /// transposed) and last strips of every width.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 37, 5), (29, 1, 13), (7, 9, 1), (1, 1, 300), (13, 17, 19), (6, 16, 256),
        (61, 45, 257), (3, 200, 70), (200, 3, 70), (97, 33, 520), (130, 70, 11), (250, 5, 3), (50, 333, 530), (20, 30, 1100), (7, 129, 2),
        (37, 150, 2100), (13, 1030, 300),
        (131, 50, 37), (45, 100, 23), // last strips of 2 and 4 columns: a transposed A takes them down the columns
        (37, 17, 29), (8, 2, 8), (53, 34, 300), // last strips of 1 and 2 columns: a row-major float A takes them down 8×8 blocks turned
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var kernel in new[] { GemmKernel.Vector256, GemmKernel.VectorT })
            foreach (int threads in new[] { 1, 2 })
                yield return new TestCaseData(kernel.ToString(), threads).SetArgDisplayNames(kernel.ToString(), $"{threads} threads");
    }

    [TestCaseSource(nameof(Cases))]
    public void FloatMatchesReference(string kernel, int threads) => CheckAll<float>(Enum.Parse<GemmKernel>(kernel), threads, Shapes, 1);

    [TestCaseSource(nameof(Cases))]
    public void DoubleMatchesReference(string kernel, int threads) => CheckAll<double>(Enum.Parse<GemmKernel>(kernel), threads, Shapes, 2);

    [Test]
    public void Vector512KernelMatchesReference()
    {
        // On CPUs without AVX-512 this runs in software (slowly), so the shapes stay small.
        (int, int, int)[] small = [(1, 1, 1), (7, 33, 5), (13, 40, 9), (31, 3, 17)];
        CheckAll<float>(GemmKernel.Vector512, 2, small, 3);
        CheckAll<double>(GemmKernel.Vector512, 2, small, 4);
    }

    [Test]
    public void Vector512GotoOrderGivesTheSameBitsWithAInPlaceOrPacked()
    {
        // N > 128 and K > 256: a row-major A is read in place in 8-row tiles (61 rows: 8-row tiles, then 4, 5 or 6 rows in a
        // 6-row one), a transposed A is packed into 6-row strips; both are one FMA chain per element, so the bits agree.
        // 150 columns end in a 22-wide strip (a masked second vector). Against the reference as well.
        var rng = new Random(8);
        var (m, n, k) = (61, 150, 300);
        foreach (int threads in new[] { 1, 2 })
        {
            var a = RandomFloats(rng, m * k);
            var b = RandomFloats(rng, k * n);
            var aT = Transposed(a, m, k);
            var inPlace = new float[m * n];
            var packed = new float[m * n];
            Gemm.RunWith(GemmKernel.Vector512, threads, false, false, m, n, k, 1f, a, b, 0f, inPlace);
            Gemm.RunWith(GemmKernel.Vector512, threads, true, false, m, n, k, 1f, aT, b, 0f, packed);
            Assert.That(inPlace, Is.EqualTo(packed).AsCollection, $"threads={threads}");
        }
        CheckAll<float>(GemmKernel.Vector512, 2, [(m, n, k)], 9);
        CheckAll<double>(GemmKernel.Vector512, 2, [(m, n, k)], 10);
    }

    [Test]
    public void RunPicksAPathThatMatchesReferenceForSmallAndLarge()
    {
        var rng = new Random(5);
        foreach (var (m, n, k) in new[] { (3, 4, 5), (100, 50, 784), (784, 50, 100), (100, 784, 50), (100, 10, 50) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    Check<float>(null, 2, ta, tb, m, n, k, 1f, 0f, rng);
    }

    [Test]
    public void NarrowProductsTakeTheVector256KernelWithTheSameResult()
    {
        // A C narrower than one Vector512 strip (32 floats, 16 doubles), or narrow (N ≤ 128) and padded less by
        // Vector256's 16-float strips and half strips, runs on the Vector256 kernel where Vector512 is best.
        // Where 512-bit FMAs are split in halves (FullWidth512 false) a Vector256 column costs what a Vector512 one does.
        var narrow = Gemm.Best == GemmKernel.Vector512 ? GemmKernel.Vector256 : Gemm.Best;
        bool measured = Gemm.FullWidth512;
        Gemm.FullWidth512 = false;
        try { HalfWidthRules(narrow); }
        finally { Gemm.FullWidth512 = measured; }
        // Same sums in the same order: both kernels give the same bits on the conv and layer shapes.
        var rng = new Random(8);
        foreach (var (m, n, k, ta, tb) in new[] { (576, 8, 25, false, true), (25, 8, 576, true, false), (64, 16, 200, false, true), (200, 16, 64, true, false), (64, 10, 256, false, false), (100, 24, 50, false, false), (100, 50, 784, false, false), (784, 50, 100, true, false) })
        {
            var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            float[] c256 = new float[m * n], cBest = new float[m * n];
            Gemm.RunWith(GemmKernel.Vector256, 2, ta, tb, m, n, k, 1f, a, b, 0f, c256);
            Gemm.RunWith(Gemm.Best, 2, ta, tb, m, n, k, 1f, a, b, 0f, cBest);
            Assert.That(c256, Is.EqualTo(cBest), $"{m}×{n}×{k} transA={ta} transB={tb}");
        }
    }

    [Test]
    public void AtFull512BitWidthOnlyProductsNarrowerThanOneStripTakeVector256()
    {
        // Where a 512-bit FMA runs in one go, a Vector256 column costs two Vector512 ones: 50 columns as 56 in Vector256
        // strips cost 112 against 64, so the TwoLayerNet shapes stay on Vector512; below one 32-float strip Vector256 stays.
        if (Gemm.Best != GemmKernel.Vector512) Assert.Ignore("no AVX-512 here: Vector512 is never chosen");
        bool measured = Gemm.FullWidth512;
        Gemm.FullWidth512 = true;
        try
        {
            Assert.That(Gemm.KernelFor<float>(576, 8, 25), Is.EqualTo(GemmKernel.Vector256), "conv 576×25·25×8");
            Assert.That(Gemm.KernelFor<float>(100, 31, 50), Is.EqualTo(GemmKernel.Vector256));
            Assert.That(Gemm.KernelFor<float>(100, 50, 784), Is.EqualTo(GemmKernel.Vector512), "TwoLayerNet x·W1");
            Assert.That(Gemm.KernelFor<float>(784, 50, 100), Is.EqualTo(GemmKernel.Vector512), "TwoLayerNet xᵀ·dout");
            Assert.That(Gemm.KernelFor<double>(100, 25, 50), Is.EqualTo(GemmKernel.Vector512), "double: 2·28 columns against 32");
            Assert.That(Gemm.SharesColumnsBetterOn256<float>(100, 784), Is.False, "100×784 C: 2·400 columns against 416");
        }
        finally { Gemm.FullWidth512 = measured; }
    }

    private static void HalfWidthRules(GemmKernel narrow)
    {
        Assert.That(Gemm.KernelFor<float>(576, 8, 25), Is.EqualTo(narrow), "conv 576×25·25×8");
        Assert.That(Gemm.KernelFor<float>(100, 31, 50), Is.EqualTo(narrow));
        Assert.That(Gemm.KernelFor<double>(100, 15, 50), Is.EqualTo(narrow));
        Assert.That(Gemm.KernelFor<float>(100, 32, 50), Is.EqualTo(Gemm.Best));
        Assert.That(Gemm.KernelFor<double>(100, 16, 50), Is.EqualTo(Gemm.Best));
        Assert.That(Gemm.KernelFor<float>(100, 50, 784), Is.EqualTo(narrow), "TwoLayerNet x·W1: 56 columns computed, not 64");
        Assert.That(Gemm.KernelFor<float>(784, 50, 100), Is.EqualTo(narrow), "TwoLayerNet xᵀ·dout");
        Assert.That(Gemm.KernelFor<double>(100, 25, 50), Is.EqualTo(narrow), "double: 28 columns computed, not 32");
        Assert.That(Gemm.KernelFor<float>(100, 64, 50), Is.EqualTo(Gemm.Best), "64 columns either way");
        Assert.That(Gemm.KernelFor<float>(100, 60, 50), Is.EqualTo(Gemm.Best), "64 columns either way");
        Assert.That(Gemm.KernelFor<float>(100, 784, 50), Is.EqualTo(Gemm.Best), "wide C");
        Assert.That(Gemm.KernelFor<float>(16, 16, 16), Is.EqualTo(GemmKernel.Reference), "4096 multiply-adds: the plain loop");
        Assert.That(Gemm.SharesColumnsBetterOn256<float>(100, 784), Is.EqualTo(WorkerPool.Threads == 2), "100×784 C");
    }

    [Test]
    public void ShortWideProductsShareColumnsInVector256StripsWhereThatIsMoreEven()
    {
        // dout·W1ᵀ [100, 784] is split by columns: on 2 threads, 49 strips of 16 give the busiest thread 400 columns,
        // 25 strips of 32 give it 416. A tall C is split by rows, and a C wider than one B panel keeps Vector512.
        Assert.That(Gemm.SharesColumnsBetterOn256<float>(1024, 1024), Is.False, "tall C");
        Assert.That(Gemm.SharesColumnsBetterOn256<float>(100, 2000), Is.False, "two B panels");
        Assert.That(Gemm.SharesColumnsBetterOn256<float>(100, 768), Is.False, "768 columns: 384 per thread either way");
        var rng = new Random(10);
        var a = Enumerable.Range(0, 100 * 50).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, 784 * 50).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] run = new float[100 * 784], best = new float[100 * 784];
        Gemm.Run(false, true, 100, 784, 50, 1f, a, b, 0f, run);
        Gemm.RunWith(Gemm.Best, 1, false, true, 100, 784, 50, 1f, a, b, 0f, best);
        Assert.That(run, Is.EqualTo(best).AsCollection, "the same sums whichever kernel and split");
    }

    [Test]
    public void KBlocksResumeTheChainsBitForBit()
    {
        // A row-major A with K above Gemm.KBlock goes through K in blocks, each resuming the FMA chains left in C; a transposed
        // A takes K in one pass. Both give the same bits, with alpha ≠ 1, ragged rows (not a multiple of 6) and last strips of
        // every width (full, masked, half, one column), K just past one block and not a multiple of it; and C past m·n untouched.
        var rng = new Random(11);
        foreach (var (m, n, k) in new[] { (100, 50, 784), (13, 29, 300), (61, 45, 257), (7, 2, 129), (5, 8, 400), (20, 16, 1000), (3, 33, 131) })
            foreach (float alpha in new[] { 1f, -1.5f })
            {
                var a = RandomFloats(rng, m * k);
                var b = RandomFloats(rng, k * n);
                var aT = Transposed(a, m, k);
                foreach (int threads in new[] { 1, 2 })
                {
                    float[] blocked = new float[m * n + 16], onePass = new float[m * n + 16];
                    Array.Fill(blocked, 3f);
                    Array.Fill(onePass, 3f);
                    Gemm.RunWith(GemmKernel.Vector256, threads, false, false, m, n, k, alpha, a, b, 0f, blocked);
                    Gemm.RunWith(GemmKernel.Vector256, threads, true, false, m, n, k, alpha, aT, b, 0f, onePass);
                    Assert.That(blocked, Is.EqualTo(onePass).AsCollection, $"{m}×{n}×{k} alpha={alpha} threads={threads}");
                    Assert.That(blocked[(m * n)..], Is.All.EqualTo(3f), $"{m}×{n}×{k}: memory past C");
                }
                Check<float>(GemmKernel.Vector256, 2, false, false, m, n, k, alpha, 0f, rng);
            }
    }

    [Test]
    public void ResultsAreBitForBitTheSameWhateverThePathOrThreads()
    {
        // Every element is one FMA chain over K in order, whichever path computes it: a transposed A read down the
        // columns (last strip) or along rows, B packed or read in place, one thread or two; in Goto order (N > 128,
        // K > 256: MC-row blocks, three for 301 rows at K = 1000 on one thread) a row-major A read in place, a transposed one packed.
        var rng = new Random(6);
        foreach (var (m, n, k) in new[] { (131, 50, 37), (100, 50, 784), (784, 50, 100), (45, 100, 23), (100, 10, 50), (37, 17, 29), (52, 50, 784), (9, 34, 15), (33, 2, 8), (394, 50, 100), (45, 34, 77), (21, 19, 9),
            (301, 150, 1000), (140, 270, 300) })
        {
            var a = RandomFloats(rng, m * k);
            var b = RandomFloats(rng, k * n);
            var aT = Transposed(a, m, k);
            var bT = Transposed(b, k, n);
            float[] Product(int threads, bool ta, bool tb)
            {
                var c = new float[m * n];
                Gemm.RunWith(GemmKernel.Vector256, threads, ta, tb, m, n, k, 1f, ta ? aT : a, tb ? bT : b, 0f, c);
                return c;
            }
            var plain = Product(1, false, false);
            foreach (int threads in new[] { 1, 2 })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        Assert.That(Product(threads, ta, tb), Is.EqualTo(plain).AsCollection, $"{m}×{n}×{k} threads={threads} transA={ta} transB={tb}");
        }
    }

    [Test]
    public void RowEdgeRowsAreSharedSoBothThreadsCostTheSame()
    {
        // x·W1 [100, 784]·[784, 50] on 2 threads: the tiles split 48/52 rows, so the first thread takes 64 of the 100 rows of
        // the 2-column edge and the second 36. Whatever the shape, the tasks' edge rows cover [0, m) once, in order.
        if (Gemm.Best == GemmKernel.Vector512 || Gemm.Best == GemmKernel.Vector256)
        {
            Assert.That(Gemm.RowEdgeShare<float>(GemmKernel.Vector256, false, 100, 50, 16, 17, 0, 2), Is.EqualTo((0, 64)));
            Assert.That(Gemm.RowEdgeShare<float>(GemmKernel.Vector256, false, 100, 50, 16, 17, 1, 2), Is.EqualTo((64, 100)));
        }
        Assert.That(Gemm.RowEdgeShare<double>(GemmKernel.Vector256, false, 100, 50, 8, 17, 0, 2), Is.EqualTo((0, 48)), "double: the tiles' own rows");
        foreach (var (m, n) in new[] { (100, 50), (7, 2), (13, 17), (300, 33), (52, 18) })
            foreach (int tasks in new[] { 1, 2, 3 })
            {
                int rowStrips = (m + 5) / 6, end = 0;
                for (int w = 0; w < Math.Min(tasks, rowStrips); w++)
                {
                    var (start, stop) = Gemm.RowEdgeShare<float>(GemmKernel.Vector256, false, m, n, 16, rowStrips, w, Math.Min(tasks, rowStrips));
                    Assert.That(start, Is.EqualTo(end), $"m={m} n={n} task {w} of {tasks}");
                    Assert.That(stop, Is.GreaterThanOrEqualTo(start));
                    end = stop;
                }
                Assert.That(end, Is.EqualTo(m), $"m={m} n={n} tasks={tasks}");
            }
    }

    [Test]
    public void RaggedTilesLeaveMemoryPastCUntouched()
    {
        // Last strips narrower than a tile (stored under lane masks) and last rows of fewer than 6: the 64 values after
        // C keep their sentinel, with and without accumulation, whichever side is transposed.
        var rng = new Random(9);
        foreach (var (m, n, k) in new[] { (100, 10, 50), (13, 29, 7), (100, 50, 10), (7, 2, 300), (37, 17, 29), (33, 50, 20) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (float beta in new[] { 0f, 1f })
                    {
                        var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray();
                        var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray();
                        var c = new float[m * n + 64];
                        Array.Fill(c, -7f, m * n, 64);
                        Gemm.RunWith(GemmKernel.Vector256, 2, ta, tb, m, n, k, 1f, a, b, beta, c);
                        Assert.That(c[(m * n)..], Is.All.EqualTo(-7f), $"{m}×{n}×{k} transA={ta} transB={tb} beta={beta}");
                    }
    }

    [Test]
    public void BetaZeroOverwritesNaN()
    {
        var a = new float[] { 1, 2, 3, 4 };
        var c = new float[] { float.NaN, float.NaN, float.NaN, float.NaN };
        Gemm.RunWith(GemmKernel.Vector256, 1, false, false, 2, 2, 2, 1f, a, a, 0f, c);
        Assert.That(c, Is.EqualTo(new float[] { 7, 10, 15, 22 }));
    }

    [Test]
    public void KZeroScalesC()
    {
        var c = new double[] { 1, 2, 3 };
        Gemm.RunWith(GemmKernel.Vector256, 1, false, false, 3, 1, 0, 1.0, Array.Empty<double>(), Array.Empty<double>(), 0.5, c);
        Assert.That(c, Is.EqualTo(new[] { 0.5, 1, 1.5 }));
    }

    [Test]
    public void TooShortBufferIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.RunWith(GemmKernel.Vector256, 1, false, false, 4, 4, 4, 1f, new float[15], new float[16], 0f, new float[16]));
        Assert.That(ex!.Message, Does.Contain("Gemm"));
    }

    [Test]
    public void BatchedTensorMatMulMatchesPerBatchReference()
    {
        var gen = new Generator(3);
        var a = Tensor.Randn([3, 37, 41], generator: gen);
        var b = Tensor.Randn([3, 41, 29], generator: gen);
        var c = a.MatMul(b).ToArray<float>();
        var av = a.ToArray<float>().Select(v => (double)v).ToArray();
        var bv = b.ToArray<float>().Select(v => (double)v).ToArray();
        for (int i = 0; i < 3; i++)
        {
            var r = new double[37 * 29];
            Gemm.Reference(false, false, 37, 29, 41, 1.0, av.AsSpan(i * 37 * 41, 37 * 41), bv.AsSpan(i * 41 * 29, 41 * 29), 0.0, r);
            for (int j = 0; j < r.Length; j++) Assert.That(c[i * r.Length + j], Is.EqualTo(r[j]).Within(1e-4 * 41));
        }
    }

    /// <summary><paramref name="length"/> floats drawn uniformly from [−1, 1).</summary>
    private static float[] RandomFloats(Random rng, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    /// <summary>The [cols, rows] transpose of a row-major [rows, cols] matrix.</summary>
    private static float[] Transposed(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    private static void CheckAll<T>(GemmKernel kernel, int threads, (int M, int N, int K)[] shapes, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        foreach (var (m, n, k) in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (alpha, beta) in new[] { (1.0, 0.0), (0.5, 1.0), (-1.5, 0.25) })
                        Check(kernel, threads, ta, tb, m, n, k, T.CreateChecked(alpha), T.CreateChecked(beta), rng);
    }

    /// <summary>One product (kernel null: Gemm.Run) against Reference in double; the bound grows with K and the magnitudes.</summary>
    private static void Check<T>(GemmKernel? kernel, int threads, bool ta, bool tb, int m, int n, int k, T alpha, T beta, Random rng)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] Draw(int len) => Enumerable.Range(0, len).Select(_ => T.CreateChecked(rng.NextDouble() * 2 - 1)).ToArray();
        double[] D(T[] x) => x.Select(double.CreateChecked).ToArray();
        double[] Abs(T[] x) => x.Select(v => Math.Abs(double.CreateChecked(v))).ToArray();
        var a = Draw(m * k);
        var b = Draw(k * n);
        var c = Draw(m * n);
        var expected = D(c);
        var bound = Abs(c);
        Gemm.Reference(ta, tb, m, n, k, double.CreateChecked(alpha), D(a), D(b), double.CreateChecked(beta), expected);
        Gemm.Reference(ta, tb, m, n, k, Math.Abs(double.CreateChecked(alpha)), Abs(a), Abs(b), Math.Abs(double.CreateChecked(beta)), bound);
        if (kernel is GemmKernel kk) Gemm.RunWith(kk, threads, ta, tb, m, n, k, alpha, a, b, beta, c);
        else Gemm.Run(ta, tb, m, n, k, alpha, a, b, beta, c);
        double eps = typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16;
        for (int i = 0; i < c.Length; i++)
        {
            double got = double.CreateChecked(c[i]);
            double tol = 2 * (k + 2) * eps * (bound[i] + 1e-30);
            if (Math.Abs(got - expected[i]) > tol)
                Assert.Fail($"{kernel?.ToString() ?? "Run"} {typeof(T).Name} m={m} n={n} k={k} transA={ta} transB={tb} alpha={alpha} beta={beta} threads={threads}: " +
                    $"C[{i / n},{i % n}] = {got}, expected {expected[i]} (tolerance {tol:G3}).");
        }
    }
}
