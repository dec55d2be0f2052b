namespace Engine;

// The blocked conv: y [N, F/16, OH, OW, 16] = conv2d(x, W) (+ bias, + residual, then max(0, ·)) with x blocked
// [N, C/16, H, W, 16] or plain NCHW [N, C, H, W] (the stem's 3 channels). Work is cut into tasks (filter groups of 64,
// images, output rows; Plan); each task walks its input channels in slices whose packed W stays in the core's L2, and
// for every output row runs tiles of up to 6 consecutive outputs whose windows lie inside the image. The few outputs at
// the left and right edges, whose windows reach into the zero padding, run one by one with the taps that fall inside.
internal static partial class Nchwc
{
    /// <summary>Bytes of packed W (64 filters) in one slice of input channels at most: it stays in the core's L2 while the task's rows meet it.</summary>
    private const int SliceBytes = 256 << 10;

    /// <summary>Bytes of packed W (64 filters) in one sub-slice at most: it stays in L1 while one output row's tiles meet it.</summary>
    private const int SubSliceBytes = 36 << 10;

    /// <summary>Bytes of packed W slices one task keeps for its filter groups (they stay in L2 together).</summary>
    private const int GroupBytes = 512 << 10;

    /// <summary>Tasks per thread a conv is cut into (fewer where its W would be read more often).</summary>
    private const int TasksPerThread = 2;

    /// <summary>Taps of one sub-slice at most (and of a kernel).</summary>
    internal const int MaxSliceTaps = 1024;

    /// <summary>Output size along one axis: floor((n + 2·pad − dilation·(k − 1) − 1) / stride) + 1.</summary>
    internal static int OutputSize(int n, int k, int stride, int pad, int dilation) => (n + 2 * pad - dilation * (k - 1) - 1) / stride + 1;

    /// <summary>
    /// y = conv2d(x, w) with one stride, zero padding and dilation for both axes (symmetric padding: the windows read are
    /// those of PyTorch's Conv2d), + w's bias, + <paramref name="residual"/> (blocked, y's shape; null: none), then
    /// max(0, ·) when <paramref name="relu"/>. x is blocked when <paramref name="w"/> was packed for a blocked input,
    /// else NCHW. Returns a new blocked tensor.
    /// </summary>
    internal static unsafe Tensor Conv(Tensor x, PackedConv w, int stride, int pad, int dilation, Tensor? residual, bool relu)
    {
        bool blocked = IsBlocked(x);
        int n = x.Dim(0), c = blocked ? x.Dim(1) * Block : x.Dim(1), h = x.Dim(2), wd = x.Dim(3);
        if (blocked != w.BlockedInput || c != w.Channels || x.DType != DType.Float32)
            throw new ArgumentException($"Nchwc.Conv: weights packed for a {(w.BlockedInput ? "blocked" : "NCHW")} float32 input of {w.Channels} channels, got {(blocked ? "a blocked" : "an NCHW")} {x.DType.Name()} input {Tensor.ShapeString(x.Shape)}.");
        int oh = OutputSize(h, w.KH, stride, pad, dilation), ow = OutputSize(wd, w.KW, stride, pad, dilation);
        if (oh <= 0 || ow <= 0 || stride < 1 || dilation < 1 || pad < 0)
            throw new ArgumentException($"Nchwc.Conv: a {w.KH}×{w.KW} kernel with stride {stride}, pad {pad}, dilation {dilation} leaves no output on a {h}×{wd} image.");
        if (w.KH * w.KW > MaxSliceTaps) throw new NotSupportedException($"Nchwc.Conv: a {w.KH}×{w.KW} kernel has more than {MaxSliceTaps} taps.");
        long image = (long)c * h * wd;
        if (image > int.MaxValue) throw new NotSupportedException($"Nchwc.Conv: an image of {image} values is larger than this kernel's 32-bit offsets.");
        var y = Empty(n, w.Filters, oh, ow, x.Device);
        if (residual is not null && (!IsBlocked(residual) || !residual.Shape.AsSpan().SequenceEqual(y.Shape)))
            throw new ArgumentException($"Nchwc.Conv: the residual must be blocked like y {Tensor.ShapeString(y.Shape)}, got {Tensor.ShapeString(residual.Shape)}.");
        if (n == 0) return y;
        var g = new Geometry(c / w.Lanes, h, wd, w.Lanes, oh, ow, stride, pad, dilation);
        var plan = Plan.Of(g, w, n);
        float[] xs = Floats(x), ys = Floats(y), rs = residual is null ? [] : Floats(residual);
        WorkerPool.For(plan.Tasks, t =>
        {
            int rows = t % plan.RowChunks, images = t / plan.RowChunks % plan.ImageChunks, groups = t / (plan.RowChunks * plan.ImageChunks);
            fixed (float* px = xs, py = ys, pr = rs)
            {
                var task = new ConvTask(g, w, plan, px, py, residual is null ? null : pr, relu);
                task.Run(Chunk(plan.Groups, plan.GroupChunks, groups), Chunk(n, plan.ImageChunks, images), Chunk(oh, plan.RowChunks, rows));
            }
        });
        return y;
    }

    /// <summary>Part <paramref name="i"/> of <paramref name="count"/> near-equal parts of [0, n).</summary>
    private static (int From, int To) Chunk(int n, int count, int i) => ((int)((long)n * i / count), (int)((long)n * (i + 1) / count));

    /// <summary>
    /// How a conv is cut: input blocks in <see cref="Slices"/> equal slices of at most <see cref="SliceBytes"/> of packed W
    /// per 64 filters, each in sub-slices of at most <see cref="SubSliceBytes"/>; about <see cref="TasksPerThread"/> tasks
    /// per thread, cut first by filter groups (64 filters; each task then reads its groups' W once), then by images, then
    /// by rows. A task keeps several groups together where their W slices fit <see cref="GroupBytes"/> (the 1×1 convs), so
    /// the image is read once for all of them.
    /// </summary>
    private readonly record struct Plan(int Slices, int SliceBlocks, int SubBlocks, int Groups, int GroupChunks, int ImageChunks, int RowChunks)
    {
        public int Tasks => GroupChunks * ImageChunks * RowChunks;

        public static Plan Of(in Geometry g, PackedConv w, int n)
        {
            int tapBytes = TileBlocks * Block * g.Lanes * sizeof(float) * w.KH * w.KW;
            int slices = (g.Blocks + Math.Max(1, SliceBytes / tapBytes) - 1) / Math.Max(1, SliceBytes / tapBytes);
            int sliceBlocks = (g.Blocks + slices - 1) / slices;
            int subBlocks = Math.Clamp(Math.Min(SubSliceBytes / tapBytes, MaxSliceTaps / (w.KH * w.KW)), 1, sliceBlocks);
            int groups = (w.Filters / Block + TileBlocks - 1) / TileBlocks;
            int perTask = Math.Clamp(GroupBytes / (sliceBlocks * tapBytes), 1, groups);
            int groupChunks = Math.Max((groups + perTask - 1) / perTask, Math.Min(groups, TasksPerThread * WorkerPool.Threads));
            int target = (TasksPerThread * WorkerPool.Threads + groupChunks - 1) / groupChunks;
            int imageChunks = Math.Clamp(target, 1, n), rowChunks = Math.Clamp((target + imageChunks - 1) / imageChunks, 1, g.OH);
            return new Plan(slices, sliceBlocks, subBlocks, groups, groupChunks, imageChunks, rowChunks);
        }
    }

    /// <summary>
    /// A conv's sizes: <paramref name="Blocks"/> input blocks (channels for an NCHW input) of <paramref name="Lanes"/>
    /// lanes, an H × W image, an OH × OW output.
    /// </summary>
    private readonly record struct Geometry(int Blocks, int H, int W, int Lanes, int OH, int OW, int Stride, int Pad, int Dilation)
    {
        /// <summary>Floats between input blocks: H · W · lanes.</summary>
        public long Plane => (long)H * W * Lanes;

        /// <summary>First output column whose window starts inside the image.</summary>
        public int InteriorFrom => Math.Min(OW, (Pad + Stride - 1) / Stride);

        /// <summary>One past the last output column whose window ends inside the image (at least <see cref="InteriorFrom"/>).</summary>
        public int InteriorTo(int kw)
        {
            int last = W - 1 - (kw - 1) * Dilation + Pad;
            return last < 0 ? InteriorFrom : Math.Clamp(last / Stride + 1, InteriorFrom, OW);
        }
    }

    /// <summary>One task: filter groups, images and rows from its plan; x, y and the residual at image 0.</summary>
    private readonly unsafe struct ConvTask(in Geometry g, PackedConv w, in Plan plan, float* x, float* y, float* residual, bool relu)
    {
        private readonly Geometry _g = g;
        private readonly Plan _plan = plan;

        public void Run((int From, int To) groups, (int From, int To) images, (int From, int To) rows)
        {
            var g = _g;
            int* xoff = stackalloc int[MaxSliceTaps], woff = stackalloc int[MaxSliceTaps];
            int* exoff = stackalloc int[MaxSliceTaps], ewoff = stackalloc int[MaxSliceTaps];
            for (int s = 0; s < _plan.Slices; s++)
            {
                int b0 = s * _plan.SliceBlocks, b1 = Math.Min(g.Blocks, b0 + _plan.SliceBlocks);
                bool accumulate = s > 0, final = s == _plan.Slices - 1;
                for (int img = images.From; img < images.To; img++)
                    for (int r = rows.From; r < rows.To; r++)
                        for (int c0 = b0; c0 < b1; c0 += _plan.SubBlocks)
                        {
                            int c1 = Math.Min(b1, c0 + _plan.SubBlocks);
                            Row(groups, img, r, c0, c1, accumulate || c0 > b0, final && c1 == b1, xoff, woff, exoff, ewoff);
                        }
            }
        }

        /// <summary>
        /// Output row r of image img for the task's filter groups, summed over input blocks [b0, b1): added to y's partial
        /// sums when <paramref name="accumulate"/>, finished (bias, residual, ReLU) when <paramref name="final"/>.
        /// </summary>
        private void Row((int From, int To) groups, int img, int r, int b0, int b1, bool accumulate, bool final, int* xoff, int* woff, int* exoff, int* ewoff)
        {
            var g = _g;
            int filterBlocks = w.Filters / Block, from = g.InteriorFrom, to = g.InteriorTo(w.KW);
            nint yBlockStride = (nint)g.OH * g.OW * Block;
            int ih0 = r * g.Stride - g.Pad;
            int taps = Taps(b0, b1, ih0, 0, w.KW, xoff, woff);
            float* image = x + img * g.Blocks * g.Plane;
            for (int group = groups.From; group < groups.To; group++)
            {
                int first = group * TileBlocks, blocks = Math.Min(TileBlocks, filterBlocks - first);
                float* wg = w.W + first * w.BlockStride;
                long yAt = ((long)img * filterBlocks + first) * yBlockStride + (long)r * g.OW * Block;
                var store = new TileStore(y + yAt, yBlockStride, accumulate, final, final ? w.Bias + first * Block : null,
                    residual is null ? null : residual + yAt, relu);
                for (int o = from; o < to; o += TileOutputs)
                    Tile(Column(image, o), g.Stride * g.Lanes, xoff, woff, taps, g.Lanes, wg, w.BlockStride, blocks, Math.Min(TileOutputs, to - o), store.At(o));
                for (int o = 0; o < from; o++) Edge(image, b0, b1, ih0, o, wg, blocks, store, exoff, ewoff);
                for (int o = to; o < g.OW; o++) Edge(image, b0, b1, ih0, o, wg, blocks, store, exoff, ewoff);
            }
        }

        /// <summary>Output column o alone, its window reaching into the padding: only the taps inside the image.</summary>
        private void Edge(float* image, int b0, int b1, int ih0, int o, float* wg, int blocks, in TileStore store, int* xoff, int* woff)
        {
            int iw0 = o * _g.Stride - _g.Pad, d = _g.Dilation;
            int kw0 = Math.Max(0, (-iw0 + d - 1) / d), kw1 = iw0 > _g.W - 1 ? 0 : Math.Min(w.KW, (_g.W - 1 - iw0) / d + 1);
            int taps = kw1 > kw0 ? Taps(b0, b1, ih0, kw0, kw1, xoff, woff) : 0;
            Tile(Column(image, o), 0, xoff, woff, taps, _g.Lanes, wg, w.BlockStride, blocks, 1, store.At(o));
        }

        /// <summary>Where output column o's window starts in the image (before the taps' row offsets); may lie left of it.</summary>
        private float* Column(float* image, int o) => image + (nint)(o * _g.Stride - _g.Pad) * _g.Lanes;

        /// <summary>
        /// The taps (input block, kh, kw) of blocks [b0, b1) for a window whose top row is ih0 and whose kw run is
        /// [kw0, kw1): rows outside the image are left out. xoff: offset in x from the window's column; woff: offset in W.
        /// </summary>
        private int Taps(int b0, int b1, int ih0, int kw0, int kw1, int* xoff, int* woff)
        {
            var g = _g;
            int kh = w.KH, kw = w.KW, d = g.Dilation, lanes = g.Lanes;
            int kh0 = Math.Max(0, (-ih0 + d - 1) / d), kh1 = Math.Min(kh, ih0 >= g.H ? 0 : (g.H - 1 - ih0) / d + 1);
            int n = 0;
            for (int b = b0; b < b1; b++)
                for (int i = kh0; i < kh1; i++)
                    for (int j = kw0; j < kw1; j++)
                    {
                        xoff[n] = (int)(b * g.Plane + ((long)(ih0 + i * d) * g.W + j * d) * lanes);
                        woff[n] = ((b * kh + i) * kw + j) * lanes * Block;
                        n++;
                    }
            return n;
        }
    }
}
