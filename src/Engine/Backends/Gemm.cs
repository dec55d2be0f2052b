using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

/// <summary>
/// CPU matrix multiply C[M,N] = alpha·op(A)·op(B) + beta·C over row-major arrays; op(A) is
/// [M,K] (A stored [M,K], or [K,M] when transposed), op(B) is [K,N] (B stored [K,N], or [N,K]).
/// <para>
/// The fast path is the classic Goto/BLIS scheme: C is cut into column panels (NC) and the K
/// dimension into slices (KC); each slice of op(B) is packed once into NR-wide strips, each
/// row block (MC) of alpha·op(A) into MR-tall strips, and a register-blocked microkernel
/// (MR×NR accumulators, one FMA per vector) multiplies one A strip by one B strip. Packing
/// handles the transposes and the ragged edges (strips are zero-padded), so the microkernel
/// only ever sees full tiles. Rows (or, for wide and short C, columns) are split over threads.
/// </para>
/// </summary>
public static partial class Gemm
{
    /// <summary>Rows of the microkernel tile (accumulator rows).</summary>
    internal const int MR = 6;

    /// <summary>
    /// Largest depth of one K slice. K is cut into equal slices of at most KC, so C is read and written
    /// once per slice: a product with K ≤ KC writes each C tile once. A packed B strip (NR·KC: 128 KiB
    /// for float and double) and an A block (<see cref="ABlockBytes"/>) stay in a core's L2.
    /// </summary>
    internal const int KC = 1024;

    /// <summary>
    /// Bytes of op(A) one row block of the Goto order holds (MC rows × the K slice): 512 KiB, half of a 1 MiB L2, so the
    /// block and the B strip it meets stay there (120 rows at K = 1024 in float).
    /// </summary>
    internal const int ABlockBytes = 512 << 10;

    /// <summary>MC is a multiple of this: of both tile heights, 6 (<see cref="MR"/>) and 8 (<see cref="Rows8"/>).</summary>
    private const int BlockRows = 24;

    /// <summary>A wide C (N above <see cref="DirectAMaxN"/>) with K above this runs in Goto order (MC-row blocks of A); a shorter K goes strip by strip.</summary>
    internal const int DirectAMaxK = 256;

    /// <summary>Columns of one packed B panel (a multiple of every NR): KC·NC floats (4 MiB) are packed at a time.</summary>
    internal const int NC = 1024;

    /// <summary>
    /// Rows of B one K block of a product that reads a row-major A in place multiplies before the next (the Vector256 kernel,
    /// C overwritten): 128 rows of a 50-column B (25 KiB) stay in a 32 KiB L1 while every A strip meets them.
    /// </summary>
    internal const int KBlock = 128;

    /// <summary>C at most this wide reads A in place (unpacked) and takes K in one slice.</summary>
    internal const int DirectAMaxN = 128;

    /// <summary>Below this many multiply-adds (m·n·k) the plain loop is faster than packing.</summary>
    internal const long SmallProduct = 4096;

    /// <summary>
    /// Multiply-adds (m·n·k) each thread gets at least: a product of 2·WorkPerThread or more is split
    /// over the resident <see cref="WorkerPool"/> threads, a smaller one runs on the calling thread.
    /// </summary>
    internal const long WorkPerThread = 1 << 16;

    /// <summary>The microkernel the fast path uses on this machine.</summary>
    internal static GemmKernel Best =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? GemmKernel.Vector512
        : Vector256.IsHardwareAccelerated ? GemmKernel.Vector256
        : GemmKernel.VectorT;

    /// <summary>
    /// The microkernel for a product of this size: the plain loop up to <see cref="SmallProduct"/> multiply-adds;
    /// then <see cref="Best"/>, except that a narrow C (N ≤ <see cref="DirectAMaxN"/>) takes the Vector256 kernel where its
    /// 16-float strips (and one-vector half strips) compute fewer columns than Vector512's 32-float ones
    /// (<see cref="PaddedColumns"/>, a Vector256 column counted twice where 512-bit FMAs run at full width,
    /// <see cref="FullWidth512"/>): N &lt; 32 (a conv with few filters, a 10-class output layer), N = 50 where 512-bit FMAs
    /// are split in halves (a hidden layer: 56 columns instead of 64, and B read in place). Both kernels give the same sums
    /// in the same order.
    /// </summary>
    internal static GemmKernel KernelFor<T>(int m, int n, int k) where T : unmanaged
    {
        if ((long)m * n * k <= SmallProduct) return GemmKernel.Reference;
        if (Best != GemmKernel.Vector512) return Best;
        int w256 = Vector256<T>.Count, w512 = Vector512<T>.Count;
        bool narrow = n < 2 * w512 || (n <= DirectAMaxN && Cost256 * PaddedColumns(n, w256, halfStrip: true) < PaddedColumns(n, w512, halfStrip: false));
        return narrow ? GemmKernel.Vector256 : Best;
    }

    /// <summary>
    /// Whether a short, wide C (fewer 6-row strips than Vector512 strips, one B panel), which <see cref="Packed{T}"/> splits by
    /// columns between the threads, leaves the busiest thread fewer columns in Vector256's 16-float strips than in Vector512's
    /// 32-float ones (a Vector256 column counted twice at full 512-bit width): dout·W1ᵀ [100, 784] gives each of 2 threads
    /// 400 columns instead of 416.
    /// </summary>
    internal static bool SharesColumnsBetterOn256<T>(int m, int n) where T : unmanaged
    {
        int nr256 = 2 * Vector256<T>.Count, nr512 = 2 * Vector512<T>.Count;
        return (m + MR - 1) / MR < (n + nr512 - 1) / nr512 && n <= NC && Cost256 * ColumnsPerThread(n, nr256) < ColumnsPerThread(n, nr512);
    }

    /// <summary>Columns the busiest thread computes when C's <paramref name="n"/> columns go out in strips of <paramref name="nr"/>, equally over the threads.</summary>
    private static int ColumnsPerThread(int n, int nr)
    {
        int strips = (n + nr - 1) / nr;
        return (strips + WorkerPool.Threads - 1) / WorkerPool.Threads * nr;
    }

    /// <summary>
    /// Columns a kernel of vector width <paramref name="w"/> computes for a C row of <paramref name="n"/>: full strips of 2w,
    /// then a last strip of w where the kernel has a half-width variant (<paramref name="halfStrip"/>:
    /// <see cref="Kernel256Half{T, R}"/>) and the rest fits in one vector, else of 2w.
    /// </summary>
    private static int PaddedColumns(int n, int w, bool halfStrip)
    {
        int full = n / (2 * w) * 2 * w, rest = n - full;
        return full + (rest == 0 ? 0 : halfStrip && rest <= w ? w : 2 * w);
    }

    /// <summary>Runs one GEMM with the fastest path for this machine and size.</summary>
    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha, Memory<T> a, Memory<T> b, T beta, Memory<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernel = KernelFor<T>(m, n, k);
        if (kernel == GemmKernel.Vector512 && SharesColumnsBetterOn256<T>(m, n)) kernel = GemmKernel.Vector256;
        RunWith(kernel, WorkerPool.Threads, transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    /// <summary>
    /// Runs one GEMM with a chosen microkernel and at most <paramref name="maxThreads"/> threads
    /// (tests use it to check every kernel, even ones this CPU runs in software).
    /// </summary>
    internal static void RunWith<T>(GemmKernel kernel, int maxThreads, bool transA, bool transB, int m, int n, int k,
        T alpha, Memory<T> a, Memory<T> b, T beta, Memory<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Gemm: negative size m={m}, n={n}, k={k}.");
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
            throw new ArgumentException($"Gemm: m={m}, n={n}, k={k} needs A ≥ {(long)m * k}, B ≥ {(long)k * n}, C ≥ {(long)m * n} elements; got {a.Length}, {b.Length}, {c.Length}.");
        if (m == 0 || n == 0) return;
        if (kernel == GemmKernel.Reference)
        {
            Reference(transA, transB, m, n, k, alpha, a.Span, b.Span, beta, c.Span);
            return;
        }
        var cs = c.Span[..(m * n)];
        if (k == 0 || alpha == T.Zero)
        {
            Scale(cs, beta);
            return;
        }
        // beta ≠ 0, 1: scale C once, then every K slice accumulates; beta = 0: the first slice overwrites.
        if (beta != T.Zero && beta != T.One) Scale(cs, beta);
        Packed(kernel, maxThreads, transA, transB, m, n, k, alpha, a, b, beta != T.Zero, c);
    }

    /// <summary>C = beta·C, where beta = 0 clears (so NaN or ∞ in C does not leak, as in BLAS).</summary>
    private static void Scale<T>(Span<T> c, T beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (beta == T.Zero) c.Clear();
        else if (beta != T.One) for (int i = 0; i < c.Length; i++) c[i] *= beta;
    }

    /// <summary>Vector width (elements) of a kernel's accumulators; NR is twice this.</summary>
    private static int Width<T>(GemmKernel kernel) where T : unmanaged => kernel switch
    {
        GemmKernel.Vector512 => Vector512<T>.Count,
        GemmKernel.Vector256 => Vector256<T>.Count,
        _ => Vector<T>.Count,
    };

    /// <summary>
    /// The blocked, packed, multithreaded product; C already holds beta·C (accumulate) or is overwritten.
    /// Narrow products (N ≤ <see cref="DirectAMaxN"/>, such as a layer's x·W) read A in place instead of
    /// packing it (each A row is used by only a few B strips, so packing would cost more than it saves)
    /// and take K in one slice; wide products with a short K (≤ <see cref="DirectAMaxK"/>, such as dout·Wᵀ) read
    /// A in place too; wide ones with a long K read a row-major A in place as well (in MC-row blocks), and pack it
    /// only to transpose or scale it. A narrow B that is not transposed is read in place as well (<see cref="DirectB"/>),
    /// so such a product packs nothing and the threads meet once.
    /// </summary>
    private static unsafe void Packed<T>(GemmKernel kernel, int maxThreads, bool transA, bool transB, int m, int n, int k,
        T alpha, Memory<T> a, Memory<T> b, bool accumulateFirst, Memory<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = 2 * Width<T>(kernel);
        // A wide product with a long K runs in Goto order (MC-row blocks of A, each B strip meeting a whole block); its A
        // is packed only where it must be rearranged (transposed) or scaled (alpha ≠ 1), else read in place.
        bool blocked = n > DirectAMaxN && k > DirectAMaxK;
        bool packA = blocked && (transA || alpha != T.One);
        bool directB = DirectB<T>(kernel, transB, n, nr);
        int kcStep = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC); // ⌈K / slices⌉, slices = ⌈K / KC⌉
        int mc = blocked ? Math.Max(1, ABlockBytes / (kcStep * Unsafe.SizeOf<T>()) / BlockRows) * BlockRows : m;
        int nc = Math.Min(NC, RoundUp(n, nr));
        long work = (long)m * n * k;
        int threads = (int)Math.Clamp(work / WorkPerThread, 1, Math.Max(1, maxThreads));
        int colStripsMax = (nc + nr - 1) / nr;
        // Split rows among threads unless C is too short for that (then split B's strips). A Goto-order product (large)
        // takes three times as many tasks as threads, handed out as threads come free (a busy core delays less);
        // a narrow one or one with a short K (a layer's) one equal task per thread.
        int rowStrips = (m + MR - 1) / MR;
        // A narrow product reading a row-major A in place with a small packed B (a layer's x·W) splits B's strips instead,
        // when there is one for every thread: each thread packs only its own strips and reads A (in cache) whole.
        bool smallB = (long)kcStep * nc <= 1 << 16;
        bool narrowCols = !transA && !directB && n <= DirectAMaxN && colStripsMax >= threads && smallB;
        bool splitRows = (rowStrips >= colStripsMax || colStripsMax < threads) && !narrowCols;
        int tasks = threads == 1 ? 1 : Math.Min((blocked ? 3 : 1) * threads, splitRows ? rowStrips : colStripsMax);
        // Split by columns, each task packs just the B strips it multiplies; split by rows with a small B (a slice of at
        // most 64 Ki elements, e.g. a layer's W), each task packs its own copy of it: no thread waits for another's packing.
        bool packOwn = !directB && splitRows && tasks > 1 && smallB;
        bool packInTask = !directB && (!splitRows || packOwn);
        var bPack = directB || packOwn ? null : ArrayPool<T>.Shared.Rent(kcStep * nc);
        try
        {
            for (int jc = 0; jc < n; jc += nc)
            {
                int ncCur = Math.Min(nc, n - jc);
                int strips = (ncCur + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += kcStep)
                {
                    int kc = Math.Min(kcStep, k - pc);
                    bool accumulate = pc > 0 || accumulateFirst;
                    int jc0 = jc, pc0 = pc;
                    if (!directB && !packInTask)
                    {
                        int packers = (long)kc * ncCur >= 1 << 16 ? Math.Min(threads, strips) : 1;
                        Workers(packers, packers, (w, count) =>
                        {
                            fixed (T* pb = b.Span, dst = bPack)
                                PackB(transB, pb, n, k, jc0, ncCur, pc0, kc, nr, dst, strips * w / count, strips * (w + 1) / count);
                        });
                    }
                    Workers(tasks, threads, (w, count) =>
                    {
                        int r0 = 0, r1 = m, q0 = 0, q1 = strips;
                        if (splitRows) { r0 = Math.Min(m, rowStrips * w / count * MR); r1 = Math.Min(m, rowStrips * (w + 1) / count * MR); }
                        else { q0 = strips * w / count; q1 = strips * (w + 1) / count; }
                        if (r0 >= r1 || q0 >= q1) return;
                        var edgeRows = splitRows ? RowEdgeShare<T>(kernel, transA, m, ncCur, nr, rowStrips, w, count) : (r0, r1);
                        var aPack = packA ? ArrayPool<T>.Shared.Rent(mc * kc) : null;
                        var own = packOwn ? ArrayPool<T>.Shared.Rent(kc * RoundUp(ncCur, nr)) : null;
                        try
                        {
                            fixed (T* pa = a.Span, pb = b.Span, pcm = c.Span, ap = aPack, bp = own ?? bPack)
                            {
                                if (packInTask) PackB(transB, pb, n, k, jc0, ncCur, pc0, kc, nr, bp, q0, q1);
                                // B strip q starts at bBase + q·qStep, its rows ldb apart.
                                T* bBase = directB ? pb + (long)pc0 * n + jc0 : bp;
                                nint qStep = directB ? nr : (nint)nr * kc, ldb = directB ? n : nr;
                                MultiplyRows(kernel, blocked, packA, transA, pa, pcm, ap, bBase, qStep, ldb, m, n, k, mc, nr, pc0, kc, jc0, ncCur, r0, r1, q0, q1, alpha, accumulate, edgeRows);
                            }
                        }
                        finally
                        {
                            if (aPack is not null) ArrayPool<T>.Shared.Return(aPack);
                            if (own is not null) ArrayPool<T>.Shared.Return(own);
                        }
                    });
                }
            }
        }
        finally { if (bPack is not null) ArrayPool<T>.Shared.Return(bPack); }
    }

    /// <summary>
    /// Whether the microkernel can read op(B) = B [K, N] in place (row stride N) instead of a packed copy:
    /// B not transposed and narrow (N ≤ <see cref="DirectAMaxN"/>, so its rows are close together and
    /// all of B stays in cache), on the AVX kernel, whose half-width kernel loads a last strip of at most one
    /// vector under a mask (<see cref="Kernel256Half{T, R}"/>): so N must end in a full strip or in at most one vector.
    /// </summary>
    private static bool DirectB<T>(GemmKernel kernel, bool transB, int n, int nr) where T : unmanaged =>
        !transB && n <= DirectAMaxN && kernel == GemmKernel.Vector256 && Avx.IsSupported
        && (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && n % nr <= nr / 2;

    /// <summary>
    /// One worker's share of a K slice: C rows [r0, r1) × B strips [q0, q1) (strip q at
    /// <paramref name="bBase"/> + q·<paramref name="qStep"/>, rows <paramref name="ldb"/> apart: packed or B itself)
    /// (+)= op(A) rows, read in place or packed into <paramref name="ap"/> (MC rows at a time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void MultiplyRows<T>(GemmKernel kernel, bool blocked, bool packA, bool transA, T* pa, T* pcm, T* ap, T* bBase, nint qStep, nint ldb,
        int m, int n, int k, int mc, int nr, int pc0, int kc, int jc0, int ncCur, int r0, int r1, int q0, int q1, T alpha, bool accumulate,
        (int Start, int End) edgeRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int ic = r0; ic < r1; ic += mc)
        {
            int mcCur = Math.Min(mc, r1 - ic);
            // A strip s starts at aBase + s·sStep; element (r, p) at + r·rs + p·cs.
            T* aBase; nint rs, cs, sStep;
            if (packA)
            {
                PackA(transA, pa, m, k, ic, mcCur, pc0, kc, alpha, ap);
                aBase = ap; rs = 1; cs = MR; sStep = kc;
            }
            else if (transA) { aBase = pa + (long)pc0 * m + ic; rs = 1; cs = m; sStep = 1; }
            else { aBase = pa + (long)ic * k + pc0; rs = k; cs = 1; sStep = k; }
            T scale = packA ? T.One : alpha;
            if (blocked)
            {
                // Goto order: one B strip (in L1–L2) meets every A strip of the block (in L2), packed or in place.
                // A row-major A read in place on Vector512 goes in 8-row tiles (16 accumulators: 16 FMAs per 10 loads, against
                // 12 per 8 in 6-row ones); the same FMA chains, so the same bits.
                bool eight = !packA && kernel == GemmKernel.Vector512;
                for (int q = q0; q < q1; q++)
                    for (int s = 0; s < mcCur; s += eight ? 8 : MR)
                        if (eight && mcCur - s > MR) Tile8(q, s);
                        else Tile(q, s);
            }
            else
            {
                // Narrow or short-K products: one A strip (6 rows, in L1) meets every B strip before the next rows are read.
                // A last strip of at most 4 columns of a transposed A goes down the columns instead (ColumnEdge256).
                // A last strip of at most 2 columns of a row-major float A goes down the columns of 8×8 blocks of A turned (RowEdge256).
                int qEdge = q1, lastCols = ncCur - (q1 - 1) * nr;
                bool lastStrip = q1 == (ncCur + nr - 1) / nr;
                if (kernel == GemmKernel.Vector256 && transA && lastStrip && lastCols <= ColumnEdgeMaxCols) qEdge = q1 - 1;
                if (!transA && lastStrip && TakesRowEdge<T>(kernel, lastCols)) qEdge = q1 - 1;
                // A row-major A with a long K over an overwritten C goes through K in blocks (KBlock rows of B, kept
                // in L1 while every A strip of the task meets them); each block resumes the FMA chains where the last left them in C.
                int kb = kernel == GemmKernel.Vector256 && !transA && !accumulate && HasMaskedStores<T>() ? KBlock : kc;
                for (int p = 0; p < kc; p += kb)
                {
                    int kcur = Math.Min(kb, kc - p);
                    bool resume = p > 0;
                    T blockScale = p + kcur == kc ? scale : T.One; // alpha once, on the whole chain
                    for (int s = 0; s < mcCur; s += MR)
                        for (int q = q0; q < qEdge; q++)
                            Micro(kernel, kcur, aBase + s * sStep + p * cs, rs, cs, bBase + q * qStep + p * ldb, ldb, pcm + (long)(ic + s) * n + jc0 + q * nr, n,
                                Math.Min(MR, mcCur - s), Math.Min(nr, ncCur - q * nr), accumulate, blockScale, resume);
                }
                if (qEdge < q1 && transA)
                    ColumnEdge256(kc, aBase, m, bBase + qEdge * qStep, ldb, pcm + (long)ic * n + jc0 + qEdge * nr, n, mcCur, lastCols, accumulate, scale);
                else if (qEdge < q1 && edgeRows.End > edgeRows.Start)
                    RowEdge256(kc, (float*)(pa + (long)edgeRows.Start * k + pc0), k, (float*)(bBase + qEdge * qStep), ldb, (float*)(pcm + (long)edgeRows.Start * n + jc0 + qEdge * nr), n,
                        edgeRows.End - edgeRows.Start, lastCols, accumulate, Unsafe.As<T, float>(ref scale));
            }

            void Tile(int q, int s) =>
                Micro(kernel, kc, aBase + s * sStep, rs, cs, bBase + q * qStep, ldb, pcm + (long)(ic + s) * n + jc0 + q * nr, n,
                    Math.Min(MR, mcCur - s), Math.Min(nr, ncCur - q * nr), accumulate, scale);

            void Tile8(int q, int s) =>
                Kernel<T, Vector512<T>, Simd512<T>, Rows8>(kc, aBase + s * sStep, rs, cs, bBase + q * qStep, ldb, pcm + (long)(ic + s) * n + jc0 + q * nr, n,
                    Math.Min(8, mcCur - s), Math.Min(nr, ncCur - q * nr), accumulate, scale, false);
        }
    }

    /// <summary>Runs body(task, count) for count tasks on at most <paramref name="threads"/> threads.</summary>
    private static void Workers(int count, int threads, Action<int, int> body)
    {
        if (count <= 1 || threads <= 1) { for (int w = 0; w < count; w++) body(w, count); }
        else WorkerPool.For(count, w => body(w, count), threads);
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>
    /// One microkernel call: C tile (rows×cols of MR×NR) (+)= A strip · B strip (rows <paramref name="ldb"/> apart). With
    /// <paramref name="resume"/> the sums start from C's values and overwrite them: the FMA chains of an
    /// earlier K block continue, so a product done in K blocks gives the same bits as in one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Micro<T>(GemmKernel kernel, int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha,
        bool resume = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kernel)
        {
            case GemmKernel.Vector512: Tile<T, Vector512<T>, Simd512<T>>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume); break;
            case GemmKernel.Vector256 when cols <= Vector256<T>.Count:
                if (rows <= 4) Kernel256Half<T, Rows4>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume);
                else if (rows == 5) Kernel256Half<T, Rows5>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume);
                else Kernel256Half<T, Rows6>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume);
                break;
            case GemmKernel.Vector256: Tile<T, Vector256<T>, Simd256<T>>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume); break;
            default: Tile<T, Vector<T>, SimdT<T>>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume); break;
        }
    }

    /// <summary>The 2-vector microkernel with as many accumulator rows as the tile has (4 or fewer, 5, or 6).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile<T, TV, V>(int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha, bool resume)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : struct, ISimd<TV, T>
    {
        if (rows <= 4) Kernel<T, TV, V, Rows4>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume);
        else if (rows == 5) Kernel<T, TV, V, Rows5>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume);
        else Kernel<T, TV, V, Rows6>(kc, a, rs, cs, b, ldb, c, ldc, rows, cols, accumulate, alpha, resume);
    }
}
