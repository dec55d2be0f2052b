using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine;

// The CPU's image-by-image convolution (F.Conv2d calls these when its tensors are on the CPU; other
// backends run the op-table composition Im2Col → MatMul, MatMul → Col2Im, MatMul). The results are the
// same products and sums; what changes is the order of the work: each image's im2col block
// ([OH·OW, C·KH·KW], 313 KB for 20.4.2's second conv) is used by its GEMMs right after it is made or
// before it is dropped, while it is still in the core's cache, instead of streaming a whole-batch buffer
// (20 MB at batch 64) through memory between ops. The batch is cut into a fixed number of contiguous
// image chunks (not depending on the core count) that the worker threads take as they come free, with
// single-threaded GEMMs inside; sums across chunks are added in chunk order, so every result is the same
// on every run, whatever the number of cores.
public sealed partial class CpuBackend
{
    /// <summary>Most image chunks per conv call: enough for the cores to share out under uneven load.</summary>
    private const int MaxImageChunks = 8;

    /// <summary>
    /// The forward runs one whole-batch GEMM for images with fewer output positions (OH·OW) than this whose weights
    /// are larger than <see cref="WholeBatchWeightBytes"/>: image by image, each image's GEMM would pack all the
    /// weights, from memory, for a few rows (ResNet-18's 7×7 stage: 49 positions against 512 × 4608 weights).
    /// </summary>
    private const int WholeBatchRows = 96;

    /// <summary>Weight bytes above which small images take the whole-batch GEMM: a core's L2 cache (1 MiB here).</summary>
    private const int WholeBatchWeightBytes = 1 << 20;

    /// <summary>Chunks for <paramref name="images"/> images: at most one per image.</summary>
    private static int ImageChunks(int images) => Math.Max(1, Math.Min(MaxImageChunks, images));

    /// <summary>Runs body(chunk, first image, end image) for each contiguous image chunk, chunks in parallel.</summary>
    private static void ForImageChunks(int images, Action<int, int, int> body)
    {
        int chunks = ImageChunks(images);
        WorkerPool.For(chunks, c => body(c, images * c / chunks, images * (c + 1) / chunks));
    }

    /// <summary>One single-threaded GEMM on array slices, with the kernel <see cref="Gemm.Run{T}"/> would pick for its size.</summary>
    private static void Gemm1<T>(bool transA, bool transB, int m, int n, int k, Memory<T> a, Memory<T> b, T beta, Memory<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Gemm.RunWith(Gemm.KernelFor<T>(m, n, k), 1, transA, transB, m, n, k, T.One, a, b, beta, c);

    /// <summary>
    /// Convolution forward without bias: cols = Im2Col(x) [N·OH·OW, C·KH·KW] (kept for the backward; null
    /// when there is none: the im2col blocks then live in pooled scratch arrays) and
    /// y2 = cols · w2ᵀ [N·OH·OW, F] for w2 [F, C·KH·KW] — image by image: image n's rows of cols are made,
    /// then multiplied at once; batch 1, and small images with large weights (<see cref="WholeBatchRows"/>),
    /// take one whole-batch GEMM on every thread instead.
    /// </summary>
    internal void Conv2dForward(Tensor x, Tensor w2, int kh, int kw, int stride, int pad, Tensor? cols, Tensor y2)
        => Dispatch(x, "Conv2d", new Conv2dForwardCall(x, w2, ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad), cols, y2));

    private readonly record struct Conv2dForwardCall(Tensor X, Tensor W2, ConvGeometry G, Tensor? Cols, Tensor Y2) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Conv2dForwardT<T>(X, W2, G, Cols, Y2);
    }

    private static void Conv2dForwardT<T>(Tensor x, Tensor w2, ConvGeometry g, Tensor? cols, Tensor y2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Data<T>(x), ws = Data<T>(w2), ys = Data<T>(y2);
        T[]? kept = cols is null ? null : Data<T>(cols);
        int rows = g.OH * g.OW, k = g.C * g.KH * g.KW, f = w2.ShapeRef[0];
        if (g.N < WorkerPool.Threads || (rows < WholeBatchRows && (long)f * k * Unsafe.SizeOf<T>() > WholeBatchWeightBytes))
        {
            // One image per thread would leave a thread idle (batch 1), or an image is so small that packing
            // the weights for its own GEMM would be a large share of its work: the whole batch's im2col, then
            // one GEMM [N·OH·OW, F] on every thread, which packs the weights once (it splits C's rows or
            // columns among the threads, so no element's sum depends on the thread count).
            T[] cs = kept ?? ArrayPool<T>.Shared.Rent(g.N * rows * k);
            try
            {
                int rowWidth = g.OW * k;
                For((long)g.N * g.OH, (s, e) => Im2ColRows(xs, g, s, e, cs, s * rowWidth), grain: Grain(rowWidth));
                Gemm.RunWith(Gemm.KernelFor<T>(g.N * rows, f, k), WorkerPool.Threads, false, true, g.N * rows, f, k, T.One,
                    cs.AsMemory(0, g.N * rows * k), ws.AsMemory(0, f * k), T.Zero, ys.AsMemory(0, g.N * rows * f));
            }
            finally
            {
                if (kept is null) ArrayPool<T>.Shared.Return(cs);
            }
            return;
        }
        ForImageChunks(g.N, (_, n0, n1) =>
        {
            // Without a cols tensor to keep (no backward), each chunk reuses one image's block.
            T[] cs = kept ?? ArrayPool<T>.Shared.Rent(rows * k);
            try
            {
                for (int n = n0; n < n1; n++)
                {
                    int at = kept is null ? 0 : n * rows * k;
                    Im2ColRows(xs, g, n * g.OH, (n + 1) * g.OH, cs, at);
                    Gemm1(false, true, rows, f, k, cs.AsMemory(at, rows * k), ws.AsMemory(0, f * k), T.Zero, ys.AsMemory(n * rows * f, rows * f));
                }
            }
            finally
            {
                if (kept is null) ArrayPool<T>.Shared.Return(cs);
            }
        });
    }

    /// <summary>
    /// Convolution backward from g2 = ∂L/∂y [N·OH·OW, F] (rows in NHWC order), w2 [F, C·KH·KW] and the
    /// forward's cols [N·OH·OW, C·KH·KW]: dx = Col2Im(g2 · w2) [N, C, H, W] and dwT = colsᵀ · g2 [C·KH·KW, F],
    /// either may be null (not wanted). Image by image: dcols for one image lives in a per-chunk buffer
    /// and is folded into dx at once; each chunk sums its images' colsᵀ·g2 into its own dwT partial (the
    /// first chunk straight into dwT), and the partials are added in chunk order.
    /// </summary>
    internal void Conv2dBackward(Tensor g2, Tensor w2, Tensor cols, int kh, int kw, int stride, int pad, int[] xShape, Tensor? dx, Tensor? dwT)
        => Dispatch(g2, "Conv2d backward", new Conv2dBackwardCall(g2, w2, cols, ConvGeometry.Of(xShape, kh, kw, stride, pad), dx, dwT));

    private readonly record struct Conv2dBackwardCall(Tensor G2, Tensor W2, Tensor Cols, ConvGeometry G, Tensor? Dx, Tensor? DwT) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Conv2dBackwardT<T>(G2, W2, Cols, G, Dx, DwT);
    }

    private static void Conv2dBackwardT<T>(Tensor g2, Tensor w2, Tensor cols, ConvGeometry g, Tensor? dx, Tensor? dwT) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] gs = Data<T>(g2), ws = Data<T>(w2), cs = Data<T>(cols);
        T[]? ds = dx is null ? null : Data<T>(dx), dws = dwT is null ? null : Data<T>(dwT);
        int rows = g.OH * g.OW, k = g.C * g.KH * g.KW, f = w2.ShapeRef[0];
        var partials = new T[ImageChunks(g.N)][];
        ForImageChunks(g.N, (chunk, n0, n1) =>
        {
            T[]? dcols = ds is null ? null : ArrayPool<T>.Shared.Rent(rows * k);
            T[]? dw = dws is null ? null : chunk == 0 ? dws : partials[chunk] = ArrayPool<T>.Shared.Rent(k * f);
            try
            {
                for (int n = n0; n < n1; n++)
                {
                    var gn = gs.AsMemory(n * rows * f, rows * f);
                    if (dcols is not null)
                    {
                        // dcols_n = g2_n · w2 [OH·OW, C·KH·KW], then scattered into dx[n].
                        Gemm1(false, false, rows, k, f, gn, ws.AsMemory(0, f * k), T.Zero, dcols.AsMemory(0, rows * k));
                        Col2ImImages(dcols, 0, g, n, n + 1, ds!);
                    }
                    // dwT (+)= cols_nᵀ · g2_n [C·KH·KW, F]; the chunk's first image overwrites.
                    if (dw is not null)
                        Gemm1(true, false, k, f, rows, cs.AsMemory(n * rows * k, rows * k), gn, n == n0 ? T.Zero : T.One, dw.AsMemory(0, k * f));
                }
            }
            finally
            {
                if (dcols is not null) ArrayPool<T>.Shared.Return(dcols);
            }
        });
        if (dws is null) return;
        var sum = dws.AsSpan(0, k * f);
        if (g.N == 0) sum.Clear();
        for (int c = 1; c < partials.Length; c++)
        {
            var add = partials[c].AsSpan(0, k * f);
            for (int i = 0; i < sum.Length; i++) sum[i] += add[i];
            ArrayPool<T>.Shared.Return(partials[c]);
        }
    }
}
