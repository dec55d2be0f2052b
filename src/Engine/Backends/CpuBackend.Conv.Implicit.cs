using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine;

// The CPU's implicit-GEMM convolution forward: y_n [F, OH·OW] = W [F, C·KH·KW] · colsᵀ_n (+ bias), image by
// image, with the GEMM's B strips gathered straight from x (Gemm.Implicit.cs), so no im2col matrix is written
// and read back and the result is NCHW already (no transpose pass). W is read in place. The work is cut into
// tasks (image, run of output positions, run of filters) that the worker threads take as they come free; every
// output element is one FMA chain over k in fixed K slices, so the
// result does not depend on the cut or on the number of threads.
public sealed partial class CpuBackend
{
    /// <summary>Bytes of packed B strips one task keeps for a K slice: they stay in a core's L2 while every A strip meets them.</summary>
    private const int ImplicitStripBytes = 512 << 10;

    /// <summary>
    /// Filters from which F.Conv2d takes the implicit GEMM on the CPU: its A strips are MR = 6 filters tall, so
    /// fewer filters (the 8 and 16 of chapter 20's MNIST convs) leave much of each tile empty; those keep the
    /// im2col path, whose GEMM puts the filters along the vector lanes.
    /// </summary>
    internal const int ImplicitMinFilters = 32;

    /// <summary>
    /// y = conv2d(x, w2) + bias for x [N, C, H, W], w2 [F, C·KH·KW] (the weight [F, C, KH, KW] seen as a matrix),
    /// bias [F] or null, y [N, F, OH, OW]: one stride and zero padding for both axes. With a
    /// <paramref name="residual"/> [N, F, OH, OW] the output pass adds it to each output as the Add op would
    /// ((conv + bias) + residual), and with <paramref name="relu"/> it writes max(0, ·) of that (0 where the sum is ≤ 0,
    /// NaN stays NaN, as Relu), so an inference Conv → (Add →) Relu makes no second pass over y.
    /// </summary>
    internal void Conv2dImplicit(Tensor x, Tensor w2, Tensor? bias, int kh, int kw, int stride, int pad, Tensor y,
        int maxThreads = int.MaxValue, bool relu = false, Tensor? residual = null)
        => Dispatch(x, "Conv2d", new Conv2dImplicitCall(x, w2, bias, ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad), y, maxThreads, relu, residual));

    private readonly record struct Conv2dImplicitCall(Tensor X, Tensor W2, Tensor? Bias, ConvGeometry G, Tensor Y, int MaxThreads, bool Relu, Tensor? Residual) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Conv2dImplicitT<T>(X, W2, Bias, G, Y, MaxThreads, Relu, Residual);
    }

    private static void Conv2dImplicitT<T>(Tensor x, Tensor w2, Tensor? bias, ConvGeometry g, Tensor y, int maxThreads, bool relu, Tensor? residual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int f = w2.ShapeRef[0], k = g.C * g.KH * g.KW, positions = g.OH * g.OW;
        if (w2.ShapeRef[1] != k || Tensor.SizeOf(y.ShapeRef) != (long)g.N * f * positions || (bias is not null && bias.Size != f))
            throw new ArgumentException($"Conv2d: expected w2 [{f}, {k}], bias [{f}] and y [{g.N}, {f}, {g.OH}, {g.OW}] for x [{g.N}, {g.C}, {g.H}, {g.W}].");
        T[]? res = null;
        if (residual is not null)
        {
            if (residual.DType != y.DType || Tensor.SizeOf(residual.ShapeRef) != Tensor.SizeOf(y.ShapeRef) || ReferenceEquals(Data<T>(residual), Data<T>(y)))
                throw new ArgumentException($"Conv2d: expected a residual of y's type and size [{g.N}, {f}, {g.OH}, {g.OW}], not y itself; got {Tensor.ShapeString(residual.Shape)} {residual.DType.Name()}.");
            res = Data<T>(residual);
        }
        ImplicitForward(Data<T>(x), Data<T>(w2), new ImplicitOutput<T>(bias is null ? null : Data<T>(bias), res, relu), g, f, Data<T>(y), maxThreads);
    }

    /// <summary>ys [N, F, OH, OW] = conv2d(xs [N, C, H, W], ws [F, C·KH·KW]) for geometry g, on arrays, each output row through <paramref name="output"/>.</summary>
    private static void ImplicitForward<T>(T[] xs, T[] ws, ImplicitOutput<T> output, ConvGeometry g, int f, T[] ys, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.C * g.KH * g.KW, positions = g.OH * g.OW;
        if (g.N == 0 || f == 0) return;
        if (k == 0)
        {
            // No input channels: every sum is 0, then the output pass.
            ys.AsSpan(0, g.N * f * positions).Clear();
            for (int n = 0; n < g.N; n++)
                for (int c = 0; c < f; c++)
                {
                    var row = ys.AsSpan((n * f + c) * positions, positions);
                    output.Row(row, row, c, (long)(n * f + c) * positions);
                }
            return;
        }
        // A padded conv first copies x into zero-bordered planes [N, C, H + 2·pad, W + 2·pad] (a ninth of what the
        // gathering then copies for a 3×3 window), so the gathering never meets the padding.
        // Stride 1 on AVX-512 at batch 2 or more reads the bordered planes in place (CpuBackend.Conv.Implicit.InPlace.cs)
        // and needs a few zeros after them for its last strip (batch 1 gathers; docs/ch22.md times both).
        // Stride 2 with a window wider than 1×1 reads in place from the images split into phase planes
        // (CpuBackend.Conv.Implicit.Phases.cs), which also pads them; a 1×1/2 conv gathers (its phase copy would be
        // as large as its gathering; docs/ch22.md times both).
        var kernel = Gemm.ConvKernel<T>(f, positions, k);
        if (g.Stride == 2 && g.KH * g.KW > 1 && g.N > 1 && Gemm.UsesInPlace<T>(kernel, 2, PhasePlane(g).W, g.OW, InPlaceShare))
        {
            float[] phased = PhaseImages((float[])(object)xs, g);
            try
            {
                var (hq, wq) = PhasePlane(g);
                ImplicitForwardInPlace(phased, (float[])(object)ws, (ImplicitOutput<float>)(object)output, g with { H = hq, W = wq, Pad = 0 }, f, (float[])(object)ys, maxThreads);
            }
            finally { ArrayPool<float>.Shared.Return(phased); }
            return;
        }
        bool inPlace = g.Stride == 1 && g.Pad > 0 && g.N > 1 && Gemm.UsesInPlace<T>(kernel, 1, g.W + 2 * g.Pad, g.OW, InPlaceShare);
        T[]? padded = g.Pad > 0 ? PadImages(xs, g, inPlace ? InPlaceSlack(g) : 0) : null;
        try
        {
            if (inPlace)
                ImplicitForwardInPlace((float[])(object)padded!, (float[])(object)ws, (ImplicitOutput<float>)(object)output,
                    Bordered(g), f, (float[])(object)ys, maxThreads);
            else if (padded is not null)
                ImplicitForwardUnpadded(padded, ws, output, Bordered(g), f, ys, maxThreads);
            else ImplicitForwardUnpadded(xs, ws, output, g, f, ys, maxThreads);
        }
        finally { if (padded is not null) ArrayPool<T>.Shared.Return(padded); }
    }

    /// <summary>The forward reads B in place where the dropped columns are at most 1/12 of the work (docs/ch22.md).</summary>
    private const int InPlaceShare = 12;

    /// <summary>The geometry of g's images with their zero border (<see cref="PadImages"/>): H + 2·pad × W + 2·pad, pad 0.</summary>
    private static ConvGeometry Bordered(ConvGeometry g) => g with { H = g.H + 2 * g.Pad, W = g.W + 2 * g.Pad, Pad = 0 };

    /// <summary>
    /// xp [N, C, H + 2·pad, W + 2·pad] (rented; the caller returns it) = x with a zero border of pad on every side,
    /// followed by <paramref name="slack"/> zeros.
    /// </summary>
    private static T[] PadImages<T>(T[] xs, ConvGeometry g, int slack) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hp = g.H + 2 * g.Pad, wp = g.W + 2 * g.Pad, plane = hp * wp;
        T[] xp = ArrayPool<T>.Shared.Rent(checked(g.N * g.C * plane + slack));
        xp.AsSpan(g.N * g.C * plane, slack).Clear();
        For((long)g.N * g.C, (s, e) =>
        {
            for (int pl = s; pl < e; pl++)
            {
                var dst = xp.AsSpan(pl * plane, plane);
                dst[..(g.Pad * wp)].Clear();
                dst[((g.Pad + g.H) * wp)..].Clear();
                for (int h = 0; h < g.H; h++)
                {
                    var row = dst.Slice((g.Pad + h) * wp, wp);
                    row[..g.Pad].Clear();
                    xs.AsSpan((pl * g.H + h) * g.W, g.W).CopyTo(row[g.Pad..]);
                    row[(g.Pad + g.W)..].Clear();
                }
            }
        }, grain: Grain(plane));
        return xp;
    }

    /// <summary><see cref="ImplicitForward{T}"/> for a geometry without padding (g.Pad = 0).</summary>
    private static unsafe void ImplicitForwardUnpadded<T>(T[] xs, T[] ws, ImplicitOutput<T> output, ConvGeometry g, int f, T[] ys, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.C * g.KH * g.KW, positions = g.OH * g.OW;
        // Small images whose last strip is mostly empty (7×7: 49 positions in two 32-wide strips) run as one
        // "image" of N·OH·OW positions, strips running on into the next image, into a scratch C [F, N·OH·OW]; the
        // microkernel is then chosen for those N·OH·OW columns (Vector512 and 8-row tiles where a single 7×7 image would
        // take Vector256's narrower strips).
        var kernel = Gemm.ConvKernel<T>(f, positions, k);
        bool batched = BatchesPositions(g.N, positions, Gemm.StripWidth<T>(Gemm.ConvKernel<T>(f, g.N * positions, k)), f, Unsafe.SizeOf<T>());
        if (batched) kernel = Gemm.ConvKernel<T>(f, g.N * positions, k);
        int nr = Gemm.StripWidth<T>(kernel), kcStep = Gemm.SliceDepth(k);
        int images = batched ? 1 : g.N, columns = batched ? g.N * positions : positions;
        int strips = (columns + nr - 1) / nr, threads = ConvThreads(maxThreads), image = g.C * g.H * g.W;
        var tasks = ConvTasks.Plan(images, strips, Math.Clamp(ImplicitStripBytes / (nr * kcStep * Unsafe.SizeOf<T>()), 1, strips), f, Gemm.ConvRows(kernel), threads);
        int chunks = tasks.Chunks;
        var windows = new ImageWindows(g.C, g.H, g.W, g.KH, g.KW, g.Stride, g.Pad, g.OH, g.OW);
        T[]? scratch = batched ? ArrayPool<T>.Shared.Rent(f * columns) : null;
        // With the filters split, the parts of one (image, run of strips) would each gather the same strips: gather
        // them once for all K, (pair, slice) by (pair, slice) on every thread, pair p's block at p·block.
        int block = (strips + chunks - 1) / chunks * nr * k, slices = (k + kcStep - 1) / kcStep;
        T[]? shared = tasks.FParts > 1 ? ArrayPool<T>.Shared.Rent(images * chunks * block) : null;
        try
        {
            if (shared is not null)
                WorkerPool.For(images * chunks * slices, u =>
                {
                    int pair = u / slices, n = pair / chunks, chunk = pair % chunks, pc = u % slices * kcStep;
                    tasks.StripRun(chunk, out int q0, out int q1);
                    fixed (T* px = xs, pb = shared)
                        Gemm.PackWindows(px + (long)n * image, windows, columns, pc, Math.Min(kcStep, k - pc), nr, q0, q1,
                            pb + (long)pair * block + (long)pc * (q1 - q0) * nr, Readable(xs, n * image));
                }, threads);
            WorkerPool.For(tasks.Count, t =>
            {
                tasks.Of(t, out int n, out int chunk, out int q0, out int q1, out int f0, out int f1);
                if (f0 >= f1) return;
                T[]? bBuf = shared is null ? ArrayPool<T>.Shared.Rent((q1 - q0) * nr * kcStep) : null;
                try
                {
                    fixed (T* px = xs, pw = ws, pb = bBuf ?? shared, py = ys, ps = scratch)
                    {
                        // C [F, columns]: image n's planes of y, or the scratch for the whole batch.
                        T* c = batched ? ps : py + (long)n * f * positions;
                        T* b = shared is null ? pb : pb + (long)(n * chunks + chunk) * block;
                        Gemm.ConvTiles(kernel, pw, f, k, f0, f1, px + (long)n * image, windows, columns, q0, q1, b, c, shared is not null,
                            Readable(xs, n * image));
                        if (output.Changes && !batched) OutputRows(c, output, (long)n * f * positions, columns, f0, f1, q0 * nr, Math.Min(columns, q1 * nr));
                    }
                }
                finally { if (bBuf is not null) ArrayPool<T>.Shared.Return(bBuf); }
            }, threads);
            // y[n, c, p] = scratch[c, n·P + p] through the output pass.
            if (batched)
                For((long)g.N * f, (s0, s1) =>
                {
                    for (int row = s0; row < s1; row++)
                        output.Row(scratch.AsSpan(row % f * columns + row / f * positions, positions), ys.AsSpan(row * positions, positions),
                            row % f, (long)row * positions);
                }, grain: Grain(positions));
        }
        finally
        {
            if (scratch is not null) ArrayPool<T>.Shared.Return(scratch);
            if (shared is not null) ArrayPool<T>.Shared.Return(shared);
        }
    }

    /// <summary>Elements of xs readable from offset at for the gathering's whole-vector copies (0: none, when <see cref="Gemm.GatherWholeVectors"/> is off).</summary>
    private static long Readable<T>(T[] xs, long at) => Gemm.GatherWholeVectors ? xs.LongLength - at : 0;

    /// <summary>Largest scratch C (bytes) of a batched-positions conv.</summary>
    private const long BatchedScratchBytes = 16 << 20;

    /// <summary>
    /// Whether a conv runs its batch as one run of N·P positions: several images, each ending in a part-filled
    /// strip, so that running on saves at least one strip in eight (P = 49 of 7×7 at batch 8: 13 strips
    /// instead of 16; 196 of 14×14: 49 instead of 56), and a scratch C [F, N·P] of at most 16 MiB.
    /// </summary>
    internal static bool BatchesPositions(int n, int positions, int nr, int f, int elementBytes)
    {
        long perImage = (long)n * ((positions + nr - 1) / nr), joined = ((long)n * positions + nr - 1) / nr;
        return n > 1 && 8 * (perImage - joined) >= perImage && (long)f * n * positions * elementBytes <= BatchedScratchBytes;
    }

    /// <summary>
    /// y[c, p] = the output pass (<see cref="ImplicitOutput{T}.Row"/>) of y[c, p] for channels [f0, f1) and positions
    /// [p0, p1) of one image's output y [F, positions], which starts at element <paramref name="at"/> of the whole output.
    /// </summary>
    private static unsafe void OutputRows<T>(T* y, ImplicitOutput<T> output, long at, int positions, int f0, int f1, int p0, int p1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = f0; c < f1; c++)
        {
            var row = new Span<T>(y + (long)c * positions + p0, p1 - p0);
            output.Row(row, row, c, at + (long)c * positions + p0);
        }
    }
}
